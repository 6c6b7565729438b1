package dev.torchsight.cli;

import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.model.LayerInfo;
import dev.torchsight.model.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code torchsight layers MODEL.pt}: every named submodule with its output shape. */
@Command(name = "layers", mixinStandardHelpOptions = true,
        description = "List every named submodule of a TorchScript model with its output shape for a probe input.")
final class LayersCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.pt", description = "TorchScript file (torch.jit.script or trace, then save).")
    Path model;

    @Option(names = "--input-size", defaultValue = "224",
            description = "Probe image size, " + Checks.MIN_SIZE + " to " + Checks.MAX_SIZE + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--channels", defaultValue = "3",
            description = "Probe image channels, 1 to " + Checks.MAX_CHANNELS + " (default: ${DEFAULT-VALUE}).")
    int channels;

    @Override
    public Integer call() {
        Checks.size("--input-size", size);
        Checks.range(Kind.CHANNELS, "--channels", channels, 1, Checks.MAX_CHANNELS);
        Checks.inputMemory(1, channels, size, "use a smaller --input-size or fewer --channels");
        try (Model m = Model.load(model)) {
            List<LayerInfo> layers = m.layers(channels, size);
            PrintWriter out = spec.commandLine().getOut();
            int width = Math.max(5, layers.stream().mapToInt(l -> l.name().length()).max().orElse(5));
            out.printf("%-" + width + "s  %-22s  %s%n", "layer", "type", "output (probe 1x" + channels + "x" + size + "x" + size + ")");
            for (LayerInfo l : layers) {
                String shape = l.outputShape() == null ? "(" + l.note() + ")" : l.outputShape().toString()
                        + (l.isSpatialMap() ? "  <- spatial map, usable by gradcam" : "");
                String type = l.type().substring(l.type().lastIndexOf('.') + 1);
                out.printf("%-" + width + "s  %-22s  %s%n", l.name(), type, shape);
            }
            out.flush();
        }
        return 0;
    }
}
