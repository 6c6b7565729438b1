package dev.torchsight.tsne;

import dev.torchsight.core.Natives;
import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import dev.torchsight.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.pytorch.Tensor;

/**
 * What placing new points into a fitted map needs, in Java memory: the reference rows as t-SNE saw them
 * (after PCA), the PCA basis that maps raw rows there, the map's coordinates and its kernel. Saved as one
 * binary file ({@link #save}), read back with {@link #load}.
 *
 * @param features n x d float32 reference rows, row-major
 * @param basis the PCA basis, or null when t-SNE ran on the raw rows
 * @param coordinates n x dims, row-major
 */
record MapReference(int n, int d, float[] features, Pca.Basis basis, double[] coordinates, int dims, double dof,
                    double perplexity, Metric metric) {
    static {
        Natives.ensureLoaded();  // the one native gate: runs before any code of this class
    }

    private static final int MAGIC = 0x54534d50;  // "TSMP"
    private static final int VERSION = 1;

    static MapReference of(Tensor features, Pca.Basis basis, Tsne.Settings settings, double[] coordinates) {
        int n = (int) features.size(0);
        int d = (int) features.size(1);
        float[] rows = new float[n * d];
        features.contiguous().data_ptr_float().get(rows);
        return new MapReference(n, d, rows, basis, coordinates.clone(), settings.dimensions(), settings.dof(),
                settings.affinities().transformPerplexity(), settings.metric());
    }

    /** Columns a raw row must have. */
    int inputDims() {
        return basis == null ? d : basis.inputDims();
    }

    /** Writes the reference to {@code file} as part of {@code files} (it appears on commit). */
    void save(Path file, AtomicFiles.Transaction files) {
        files.stage(file, path -> {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16))) {
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(n);
                out.writeInt(d);
                out.writeInt(dims);
                out.writeDouble(dof);
                out.writeDouble(perplexity);
                out.writeUTF(metric.name());
                out.writeInt(basis == null ? 0 : basis.inputDims());
                if (basis != null) {
                    writeFloats(out, basis.mean());
                    writeFloats(out, basis.axes());
                }
                writeFloats(out, features);
                for (double c : coordinates) {
                    out.writeDouble(c);
                }
            }
        });
    }

    /** Reads a file written by {@link #save}; one clear line when it is not one. */
    static MapReference load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TorchsightException(Kind.INPUT, file, "map file " + file + " does not exist; write one with "
                    + "tsne --save-map FILE");
        }
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new TorchsightException(Kind.INPUT, file, "cannot read map file " + file + ": " + e.getMessage());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (length < 8 || in.readInt() != MAGIC) {
                throw notAMap(file, "it does not start with torchsight's map header");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw notAMap(file, "its format version is " + version + ", this torchsight reads " + VERSION);
            }
            int n = in.readInt();
            int d = in.readInt();
            int dims = in.readInt();
            double dof = in.readDouble();
            double perplexity = in.readDouble();
            Metric metric = Metric.valueOf(in.readUTF());
            int inputDims = in.readInt();
            long expected = 4L * ((long) inputDims + (long) inputDims * d + (long) n * d) + 8L * n * dims;
            if (n < 5 || d < 1 || (dims != 2 && dims != 3) || inputDims < 0 || !(dof > 0) || expected > length) {
                throw notAMap(file, "its header is inconsistent with its size (damaged or truncated?)");
            }
            Pca.Basis basis = null;
            if (inputDims > 0) {
                float[] mean = readFloats(in, inputDims);
                float[] axes = readFloats(in, inputDims * d);
                basis = new Pca.Basis(mean, axes, inputDims, d);
            }
            float[] features = readFloats(in, n * d);
            double[] coordinates = new double[n * dims];
            for (int i = 0; i < coordinates.length; i++) {
                coordinates[i] = in.readDouble();
            }
            return new MapReference(n, d, features, basis, coordinates, dims, dof, perplexity, metric);
        } catch (EOFException e) {
            throw notAMap(file, "it is truncated");
        } catch (IOException | IllegalArgumentException e) {
            throw notAMap(file, e.getMessage());
        }
    }

    private static TorchsightException notAMap(Path file, String why) {
        return new TorchsightException(Kind.INPUT, file, "map file " + file + " cannot be used: " + why
                + "; write it again with tsne --save-map FILE");
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        for (float v : values) {
            out.writeFloat(v);
        }
    }

    private static float[] readFloats(DataInputStream in, int count) throws IOException {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = in.readFloat();
        }
        return out;
    }
}
