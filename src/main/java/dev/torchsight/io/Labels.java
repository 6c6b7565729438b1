package dev.torchsight.io;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One class label per sample: {@code codes[i]} indexes {@link #classNames()}.
 *
 * @param codes class index of each sample
 * @param classNames display name of each class, in plot/legend order
 */
public record Labels(int[] codes, List<String> classNames) {
    /** Labels from integer class ids; classes are the distinct ids in ascending order. */
    public static Labels ofIds(int[] ids) {
        int[] distinct = Arrays.stream(ids).distinct().sorted().toArray();
        List<String> names = new ArrayList<>();
        for (int id : distinct) {
            names.add(Integer.toString(id));
        }
        int[] codes = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            codes[i] = Arrays.binarySearch(distinct, ids[i]);
        }
        return new Labels(codes, List.copyOf(names));
    }

    /** Labels from names; classes sorted numerically when every name is a number, else alphabetically. */
    public static Labels ofNames(List<String> names) {
        boolean numeric = names.stream().allMatch(s -> s.matches("-?\\d+(\\.\\d+)?"));
        Comparator<String> order = numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder();
        Map<String, Integer> index = new TreeMap<>(order);
        names.forEach(n -> index.put(n, 0));
        List<String> classes = new ArrayList<>(index.keySet());
        for (int c = 0; c < classes.size(); c++) {
            index.put(classes.get(c), c);
        }
        int[] codes = names.stream().mapToInt(index::get).toArray();
        return new Labels(codes, List.copyOf(classes));
    }

    /** Number of samples. */
    public int size() {
        return codes.length;
    }

    /** The first {@code n} labels (classes keep their names and order). */
    public Labels head(int n) {
        return n >= codes.length ? this : new Labels(Arrays.copyOf(codes, n), classNames);
    }

    /** Replaces class names by position (e.g. Fashion-MNIST's 0..9 by "T-shirt/top".."Ankle boot"). */
    public Labels withClassNames(List<String> names) {
        if (names.size() < classNames.size()) {
            throw new TorchsightException(Kind.CLASS_NAMES, names.size(), "got " + names.size() + " class names for "
                    + classNames.size() + " classes; give one name per class");
        }
        return new Labels(codes, List.copyOf(names.subList(0, classNames.size())));
    }

    /** Fails (kind LABELS, the label count as value) unless there is exactly one label per row. */
    public void requireCount(long rows, String source) {
        if (codes.length != rows) {
            throw new TorchsightException(Kind.LABELS, codes.length, source + " has " + codes.length
                    + " labels but the input has " + rows + " rows; give exactly one label per row");
        }
    }
}
