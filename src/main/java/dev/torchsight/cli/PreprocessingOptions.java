package dev.torchsight.cli;

import dev.torchsight.io.Preprocessing;
import picocli.CommandLine.Option;

/** The image preprocessing options shared by commands that read image files. */
final class PreprocessingOptions {
    @Option(names = "--size", defaultValue = "224", description = "Network input size: images are resized to S x S, " + Checks.MIN_SIZE + " to " + Checks.MAX_SIZE
                    + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--mean", split = ",", defaultValue = "0.485,0.456,0.406",
            description = "Normalisation mean after scaling to [0, 1], R,G,B (default: ImageNet's).")
    double[] mean;

    @Option(names = "--std", split = ",", defaultValue = "0.229,0.224,0.225",
            description = "Normalisation standard deviation, R,G,B (default: ImageNet's).")
    double[] std;

    /** Checks the values before any work (size bounds, three finite statistics, positive deviations). */
    void validate() {
        Checks.size("--size", size);
        Checks.meanStd(mean, std);
    }

    /** The pipeline these options describe (validated). */
    Preprocessing preprocessing() {
        validate();
        return new Preprocessing(size, size, mean, std);
    }
}
