package dev.torchsight.render;

import java.awt.Color;

/**
 * A qualitative palette of 20 colours chosen to stay distinguishable from each other on white:
 * the ten Tableau colours first (the matplotlib look), then ten more saturated, clearly different hues.
 */
public final class Palette {
    private static final int[] RGB = {
        0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf,
        0x000075, 0xf032e6, 0x469990, 0x800000, 0xffe119, 0x3cb44b, 0xaaffc3, 0xfabed4, 0x808000, 0x42d4f4,
    };

    private Palette() {}

    /** Number of distinct colours before the palette repeats. */
    public static int size() {
        return RGB.length;
    }

    /** Colour of class {@code index} (cycles after {@link #size()}). */
    public static Color color(int index) {
        return new Color(RGB[Math.floorMod(index, RGB.length)]);
    }
}
