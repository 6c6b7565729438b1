package dev.torchsight.cam.metrics;

import dev.torchsight.core.TorchsightException;
import dev.torchsight.core.TorchsightException.Kind;

/** Areas under curves by the trapezoid rule. */
public final class Auc {
    private Auc() {}

    /**
     * The area under {@code values} taken at equally spaced points from 0 to 1 (the first at 0, the
     * last at 1): {@code (sum - (first + last) / 2) / (count - 1)}.
     *
     * @throws TorchsightException when there are fewer than 2 values
     */
    public static double trapezoid(double[] values) {
        if (values.length < 2) {
            throw new TorchsightException(Kind.INPUT, values.length, "an area under a curve needs at least 2 points, got "
                    + values.length);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return (sum - (values[0] + values[values.length - 1]) / 2) / (values.length - 1);
    }

    /**
     * The area under the curve through ({@code x[i]}, {@code y[i]}), {@code x} ascending.
     *
     * @throws TorchsightException when the lengths differ, there are fewer than 2 points or x descends
     */
    public static double trapezoid(double[] x, double[] y) {
        if (x.length != y.length || x.length < 2) {
            throw new TorchsightException(Kind.INPUT, null, "an area under a curve needs at least 2 points and as many "
                    + "x as y values, got " + x.length + " and " + y.length);
        }
        double area = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] < x[i - 1]) {
                throw new TorchsightException(Kind.INPUT, x[i], "the curve's x values must ascend; x[" + i + "] = "
                        + x[i] + " follows " + x[i - 1]);
            }
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return area;
    }
}
