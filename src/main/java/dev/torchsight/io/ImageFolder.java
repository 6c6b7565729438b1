package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A data set laid out as torchvision's {@code ImageFolder}: one sub-folder per class, classes sorted
 * by name (ordinal, case-sensitive), images found recursively inside each, sorted by path, with
 * torchvision's image extensions.
 */
public final class ImageFolder {
    /** torchvision's IMG_EXTENSIONS. */
    static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

    /** One image and its class index. @param path the file @param label the class index */
    public record Sample(Path path, int label) { }

    private final List<String> classes;
    private final List<Sample> samples;

    private final List<Images.Skipped> problems;

    private ImageFolder(List<String> classes, List<Sample> samples, List<Images.Skipped> problems) {
        this.classes = List.copyOf(classes);
        this.samples = List.copyOf(samples);
        this.problems = List.copyOf(problems);
    }

    /** Scans {@code root}. */
    public static ImageFolder scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new TorchsightException(TorchsightException.Kind.INPUT, root, root
                    + " is not a folder; give a folder with one sub-folder per class");
        }
        List<String> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new TorchsightException("cannot list " + root + ": " + e.getMessage(), e);
        }
        if (classes.isEmpty()) {
            throw new TorchsightException(root + " has no class sub-folders; lay it out as ROOT/CLASS/IMAGE.jpg");
        }
        List<Sample> samples = new ArrayList<>();
        List<Images.Skipped> problems = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int label = c;
            Images.Listing listing = Images.list(root.resolve(classes.get(c)), p -> false);
            List<Path> files = new ArrayList<>(listing.files());
            files.sort(java.util.Comparator.comparing(Path::toString));
            for (Path p : files) {
                if (isImage(p)) {
                    samples.add(new Sample(p, label));
                }
            }
            // torchvision would take these by their names and fail on them; say which and why now
            for (Images.Skipped s : listing.skipped()) {
                if (isImage(s.path()) || s.reason().startsWith("cannot")) {
                    problems.add(s);
                }
            }
        }
        if (samples.isEmpty()) {
            throw new TorchsightException(root + " holds no images (" + String.join(", ", EXTENSIONS) + ")");
        }
        return new ImageFolder(classes, samples, problems);
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /**
     * Entries with an image name that are not readable files (dangling links, FIFOs, unreadable
     * folders): not samples, but a data set with them is not the one on disk.
     */
    public List<Images.Skipped> problems() {
        return problems;
    }

    /** Class names, sorted; index = label. */
    public List<String> classes() {
        return classes;
    }

    /** Samples in torchvision's order. */
    public List<Sample> samples() {
        return samples;
    }

    /** The labels of the first {@code limit} samples. */
    public Labels labels(int limit) {
        int n = Math.min(limit, samples.size());
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) {
            codes[i] = samples.get(i).label();
        }
        return new Labels(codes, classes);
    }
}
