package dev.torchsight.render;

import dev.torchsight.tsne.Embedding;

/**
 * A fixed view of a 3-D map on the page: turned 45 degrees about the vertical axis, then tilted 30
 * degrees towards the viewer (an orthographic projection, so distances along each screen axis stay
 * comparable). 2-D maps are returned as they are.
 */
public final class Projection {
    /** Rotation about the map's third axis, in degrees. */
    public static final double AZIMUTH_DEGREES = 45;
    /** Tilt towards the viewer, in degrees. */
    public static final double ELEVATION_DEGREES = 30;

    private Projection() {}

    /** Screen coordinates (n x 2, row-major) of every point. */
    public static double[] screen(Embedding e) {
        int n = e.size();
        double[] out = new double[2 * n];
        if (e.dimensions() == 2) {
            for (int i = 0; i < n; i++) {
                out[2 * i] = e.x(i);
                out[2 * i + 1] = e.y(i);
            }
            return out;
        }
        double a = Math.toRadians(AZIMUTH_DEGREES);
        double b = Math.toRadians(ELEVATION_DEGREES);
        for (int i = 0; i < n; i++) {
            double x = e.x(i);
            double y = e.y(i);
            double z = e.z(i);
            double across = x * Math.cos(a) - y * Math.sin(a);
            double depth = x * Math.sin(a) + y * Math.cos(a);
            out[2 * i] = across;
            out[2 * i + 1] = z * Math.cos(b) - depth * Math.sin(b);
        }
        return out;
    }
}
