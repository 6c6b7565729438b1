package dev.torchsight.io;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.internal.OwnedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Samples for t-SNE or for a model, read in batches: an image folder (decoded and preprocessed per
 * batch), or in-memory rows (IDX images, NPY/CSV vectors, the embedded Fashion-MNIST set).
 */
public final class Dataset {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }


    private final int size;
    private final Labels labels;
    private final ImageFolder folder;
    private final Preprocessing preprocessing;
    private final FloatMatrix rows;
    private final long[] imageShape;

    private Dataset(int size, Labels labels, ImageFolder folder, Preprocessing preprocessing, FloatMatrix rows,
                    long[] imageShape) {
        this.size = size;
        this.labels = labels;
        this.folder = folder;
        this.preprocessing = preprocessing;
        this.rows = rows;
        this.imageShape = imageShape;
    }

    /** The first {@code limit} images (null: all) of an ImageFolder, preprocessed as torchvision does. */
    public static Dataset imageFolder(Path root, Preprocessing preprocessing, Integer limit) {
        ImageFolder folder = ImageFolder.scan(root);
        if (!folder.problems().isEmpty()) {
            Images.Skipped first = folder.problems().get(0);
            throw new TorchsightException(TorchsightException.Kind.INPUT, first.path(), root + " holds "
                    + folder.problems().size() + " unusable image entr" + (folder.problems().size() == 1 ? "y" : "ies")
                    + " (first: " + root.relativize(first.path()) + ": " + first.reason() + "); remove or fix them");
        }
        int n = limit == null ? folder.samples().size() : Math.min(limit, folder.samples().size());
        // Check every header now: a bad file found half-way through would waste the work before it.
        int bad = 0;
        String firstBad = null;
        for (ImageFolder.Sample s : folder.samples().subList(0, n)) {
            String problem = Images.checkHeader(s.path());
            if (problem != null) {
                bad++;
                if (firstBad == null) {
                    firstBad = root.relativize(s.path()) + ": " + problem;
                }
            }
        }
        if (bad > 0) {
            throw new TorchsightException(TorchsightException.Kind.INPUT, root, root + " holds " + bad + " image"
                    + (bad == 1 ? "" : "s") + " that cannot be read (first: " + firstBad + "); remove or fix "
                    + (bad == 1 ? "it" : "them"));
        }
        return new Dataset(n, folder.labels(n), folder, preprocessing, null, null);
    }

    /**
     * Rows from a file (IDX images, NPY, CSV) or, when {@code file} is null, the embedded Fashion-MNIST
     * test images; IDX and embedded images keep their H x W shape for models. Labels from
     * {@code labelsFile}, the IDX sibling file, or the embedded labels.
     */
    public static Dataset pixels(Path file, Path labelsFile, Integer limit) {
        FloatMatrix m;
        Labels labels;
        long[] shape = null;
        if (file == null) {
            m = EmbeddedData.fashionMnistImages(limit == null ? Integer.MAX_VALUE : limit);
            if (labelsFile != null) {
                // one label per embedded image, or one per image used
                labels = DataFiles.readLabels(labelsFile);
                if (labels.size() != m.rows()) {
                    labels.requireCount(EmbeddedData.FASHION_MNIST_TEST_SIZE, labelsFile.toString());
                    labels = labels.head(m.rows());
                }
            } else {
                labels = EmbeddedData.fashionMnistLabels(m.rows());
            }
            shape = new long[] {1, 28, 28};
        } else {
            // One rule for formats (DataFormat: extension and content); labels must match the file's rows.
            DataFiles.Vectors read = DataFiles.readVectors(file, limit == null ? Integer.MAX_VALUE : limit);
            m = read.matrix();
            shape = read.imageShape();
            labels = labelsFile != null ? DataFiles.readLabels(labelsFile, read.fileRows()) : siblingIdxLabels(file);
            if (labels != null) {
                labels.requireCount(read.fileRows(), labelsFile != null ? labelsFile.toString()
                        : "the matching *-labels-idx1-ubyte file");
                labels = labels.head(m.rows());
            }
        }
        m.requireFinite(file == null ? "embedded data" : file.toString());
        return new Dataset(m.rows(), labels, null, null, m, shape);
    }

    /** For {@code *-images-idx3-ubyte[.gz]}, the labels in the matching {@code *-labels-idx1-ubyte[.gz]}, if present. */
    public static Labels siblingIdxLabels(Path images) {
        String name = images.getFileName().toString();
        if (!name.contains("images-idx3")) {
            return null;
        }
        Path sibling = images.resolveSibling(name.replace("images-idx3", "labels-idx1"));
        return Files.isRegularFile(sibling) ? DataFiles.readLabels(sibling) : null;
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** One label per sample, or null. */
    public Labels labels() {
        return labels;
    }

    /**
     * Model input for samples [start, start + count): N x C x H x W float32. The tensor is the caller's
     * (it joins the caller's innermost {@code PointerScope}, or the caller closes it).
     */
    public Tensor batch(int start, int count) {
        if (start < 0 || count < 1 || start > size - count) {
            throw new TorchsightException(TorchsightException.Kind.BATCH_SIZE, count, "samples [" + start + ", "
                    + ((long) start + count) + ") are outside the data set's " + size + " samples");
        }
        if (folder == null && imageShape == null) {
            throw new TorchsightException(TorchsightException.Kind.INPUT, null, "the samples are feature vectors, not "
                    + "images; a model needs images (an image folder or IDX images)");
        }
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            if (folder != null) {
                List<Mat> images = new ArrayList<>();
                for (ImageFolder.Sample s : folder.samples().subList(start, start + count)) {
                    images.add(Images.read(s.path()));  // freed with the call's scope
                }
                return call.result(preprocessing.batch(images));
            }
            float[] v = new float[count * rows.cols()];
            System.arraycopy(rows.values(), start * rows.cols(), v, 0, v.length);
            return call.result(Tensor.create(v, count, imageShape[0], imageShape[1], imageShape[2]));
        }
    }

    /**
     * Every sample flattened to one row (pixels after preprocessing for image folders): N x D, the
     * caller's (see {@link #batch}).
     */
    public Tensor flattenedPixels(int batchSize) {
        if (folder == null) {
            try (OwnedMemory.CallScope call = OwnedMemory.call()) {
                return call.result(Tensor.create(rows.values(), rows.rows(), rows.cols()));
            }
        }
        long d = 3L * preprocessing.height() * preprocessing.width();
        long bytes = (long) size * d * Float.BYTES;
        long available = org.bytedeco.javacpp.Pointer.availablePhysicalBytes();
        if (available > 0 && bytes > available / 2) {
            throw new TorchsightException(TorchsightException.Kind.MEMORY, bytes, String.format(java.util.Locale.ROOT,
                    "%d images of 3 x %d x %d pixels need %.1f GiB but %.1f GiB of memory is free; "
                            + "use a smaller input size or fewer images",
                    size, preprocessing.height(), preprocessing.width(), bytes / 1073741824.0, available / 1073741824.0));
        }
        if (batchSize < 1) {
            throw new TorchsightException(TorchsightException.Kind.BATCH_SIZE, batchSize,
                    "batch size must be at least 1, got " + batchSize);
        }
        try (OwnedMemory.CallScope call = OwnedMemory.call()) {
            Tensor out = call.result(torch.empty(size, d));
            for (int start = 0; start < size; start += batchSize) {
                int count = Math.min(batchSize, size - start);
                try (PointerScope scope = new PointerScope()) {
                    out.narrow(0, start, count).copy_(batch(start, count).reshape(count, d));
                }
            }
            return out;
        }
    }
}
