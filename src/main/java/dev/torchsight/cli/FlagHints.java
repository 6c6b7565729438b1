package dev.torchsight.cli;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Turns a library exception into the CLI's one line: the library's message speaks of values, this
 * adds the flag of the running command that sets the faulty value (only when that command has it).
 */
final class FlagHints {
    private static final Map<Kind, String[]> FLAGS = new EnumMap<>(Kind.class);

    static {
        FLAGS.put(Kind.MODEL, new String[] {"--model"});
        FLAGS.put(Kind.INPUT, new String[] {"--image", "--input"});
        FLAGS.put(Kind.LAYER, new String[] {"--layer"});
        FLAGS.put(Kind.OUTPUT_INDEX, new String[] {"--output-index"});
        FLAGS.put(Kind.CLASS_INDEX, new String[] {"--class"});
        FLAGS.put(Kind.TOP_K, new String[] {"--top-k"});
        FLAGS.put(Kind.INPUT_SIZE, new String[] {"--size", "--input-size"});
        FLAGS.put(Kind.CHANNELS, new String[] {"--channels"});
        FLAGS.put(Kind.MEAN, new String[] {"--mean"});
        FLAGS.put(Kind.STD, new String[] {"--std"});
        FLAGS.put(Kind.BATCH_SIZE, new String[] {"--batch-size"});
        FLAGS.put(Kind.POOL, new String[] {"--pool"});
        FLAGS.put(Kind.THREADS, new String[] {"--threads"});
        FLAGS.put(Kind.DEVICE, new String[] {"--device"});
        FLAGS.put(Kind.ALPHA, new String[] {"--alpha"});
        FLAGS.put(Kind.PERPLEXITY, new String[] {"--perplexity"});
        FLAGS.put(Kind.ITERATIONS, new String[] {"--iterations"});
        FLAGS.put(Kind.METHOD, new String[] {"--method"});
        FLAGS.put(Kind.THETA, new String[] {"--theta"});
        FLAGS.put(Kind.LIMIT, new String[] {"--limit"});
        FLAGS.put(Kind.DPI, new String[] {"--dpi"});
        FLAGS.put(Kind.LABELS, new String[] {"--labels"});
        FLAGS.put(Kind.CLASS_NAMES, new String[] {"--labels"});
        FLAGS.put(Kind.OUTPUT, new String[] {"--out", "--embedding-out"});
        FLAGS.put(Kind.MEMORY, new String[] {"--limit", "--pool", "--batch-size"});
    }

    private FlagHints() {}

    /** The message, plus " (set with --flag)" when the command has a flag for the exception's kind. */
    static String line(TorchsightException e, CommandSpec command) {
        String message = oneLine(e.getMessage());
        String[] candidates = FLAGS.get(e.kind());
        if (candidates == null || command == null) {
            return message;
        }
        for (String flag : candidates) {
            if (message.contains(flag)) {
                return message;  // the message already points at the flag
            }
        }
        StringBuilder flags = new StringBuilder();
        for (String flag : candidates) {
            if (command.findOption(flag) != null) {
                flags.append(flags.length() == 0 ? "" : ", ").append(flag);
            }
        }
        return flags.length() == 0 ? message : message + " (" + flags + ")";
    }

    /** Collapses a multi-line message (e.g. libtorch's) into its first non-empty line. */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        for (String line : message.strip().split("\\R")) {
            if (!line.isBlank()) {
                String s = line.strip();
                return s.length() > 500 ? s.substring(0, 500) + "..." : s;
            }
        }
        return "unknown error";
    }
}
