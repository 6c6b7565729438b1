package dev.torchsight.core;

/**
 * The one exception torchsight throws for problems a caller can fix: bad input, a wrong option, a
 * resource that does not fit. Its message is a single line in the library's own terms (values, files,
 * layers; never command-line flags) that says what is wrong and how to fix it. {@link #kind()} says
 * which setting or input is at fault and {@link #value()} holds the offending value, so a front end can
 * point at its own way of setting it: the CLI appends the flag (e.g. {@code --batch-size}) and exits
 * with code 2.
 */
public class TorchsightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which setting or input a problem belongs to. */
    public enum Kind {
        /** Nothing more specific. */
        GENERAL,
        /** The model file: missing, not TorchScript, or a forward pass that fails. */
        MODEL,
        /** The layer name to tap. */
        LAYER,
        /** Which element of a tuple/list/dict model output holds the class scores. */
        OUTPUT_INDEX,
        /** A class index to explain. */
        CLASS_INDEX,
        /** The number of best classes to explain. */
        TOP_K,
        /** The network input size (pixels per side). */
        INPUT_SIZE,
        /** The number of input channels. */
        CHANNELS,
        /** Per-channel normalisation mean. */
        MEAN,
        /** Per-channel normalisation standard deviation. */
        STD,
        /** Samples per forward pass. */
        BATCH_SIZE,
        /** Average-pooling size of feature maps. */
        POOL,
        /** Thread count. */
        THREADS,
        /** Where the work runs (CPU or CUDA). */
        DEVICE,
        /** Heatmap weight in an overlay. */
        ALPHA,
        /** t-SNE perplexity. */
        PERPLEXITY,
        /** t-SNE iterations. */
        ITERATIONS,
        /** t-SNE method (exact, Barnes-Hut). */
        METHOD,
        /** Barnes-Hut accuracy. */
        THETA,
        /** Learning rate, exaggeration and other optimiser settings. */
        OPTIMIZER,
        /** A row limit. */
        LIMIT,
        /** Plot resolution. */
        DPI,
        /** An input data file or folder (vectors, images, IDX). */
        INPUT,
        /** Labels for the rows or images. */
        LABELS,
        /** Class names. */
        CLASS_NAMES,
        /** An output file or folder. */
        OUTPUT,
        /** Memory: the work does not fit. */
        MEMORY,
        /** The native libraries (libtorch, OpenCV, torchsight's own) could not be loaded. */
        NATIVE
    }

    private final Kind kind;
    private final transient Object value;

    /** @param message one line: what is wrong and how to fix it */
    public TorchsightException(String message) {
        this(Kind.GENERAL, null, message, null);
    }

    /** @param message one line: what is wrong and how to fix it
     *  @param cause the underlying error */
    public TorchsightException(String message, Throwable cause) {
        this(Kind.GENERAL, null, message, cause);
    }

    /**
     * @param kind which setting or input is at fault
     * @param value the offending value (may be null)
     * @param message one line: what is wrong and how to fix it, without command-line flags
     */
    public TorchsightException(Kind kind, Object value, String message) {
        this(kind, value, message, null);
    }

    /**
     * @param kind which setting or input is at fault
     * @param value the offending value (may be null)
     * @param message one line: what is wrong and how to fix it, without command-line flags
     * @param cause the underlying error (its reason should already be in the message)
     */
    public TorchsightException(Kind kind, Object value, String message, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.value = value;
    }

    /** Which setting or input is at fault. */
    public Kind kind() {
        return kind;
    }

    /** The offending value, or null when there is none. */
    public Object value() {
        return value;
    }
}
