package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The Fashion-MNIST test set (10,000 28x28 images, MIT licence, Zalando Research) shipped inside the
 * jar, so every command has data to run on.
 */
public final class EmbeddedData {
    /** Fashion-MNIST's class names, by label id. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Images in the embedded test set. */
    public static final int FASHION_MNIST_TEST_SIZE = 10_000;

    private static final String IMAGES = "/dev/torchsight/data/t10k-images-idx3-ubyte.gz";
    private static final String LABELS = "/dev/torchsight/data/t10k-labels-idx1-ubyte.gz";

    private EmbeddedData() {}

    /** The first {@code limit} test images as rows of 784 pixels in [0, 1]. */
    public static FloatMatrix fashionMnistImages(int limit) {
        return IdxFile.parse(resource(IMAGES), "embedded Fashion-MNIST images").asMatrix().head(limit);
    }

    /** The first {@code limit} test labels, with Fashion-MNIST's class names. */
    public static Labels fashionMnistLabels(int limit) {
        int[] ids = IdxFile.parse(resource(LABELS), "embedded Fashion-MNIST labels").asLabels();
        Labels all = Labels.ofIds(ids);
        return all.withClassNames(FASHION_MNIST_CLASSES).head(limit);
    }

    private static byte[] resource(String name) {
        try (InputStream in = EmbeddedData.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new TorchsightException("embedded data " + name + " is missing from the jar; rebuild with mvn package");
            }
            return InputFiles.readAll(in, true);
        } catch (IOException e) {
            throw new TorchsightException("cannot read embedded data " + name + ": " + e.getMessage(), e);
        }
    }
}
