package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import java.util.Locale;

/**
 * How the gradient's repulsive forces are computed. Independent of P's sparsity, which the
 * {@link Affinities} decide.
 */
public enum TsneMethod {
    /** All pairs, O(N^2) per iteration: exact forces. */
    EXACT,
    /** Barnes-Hut space-partitioning tree (quadtree in 2-D, octree in 3-D), O(N log N). */
    BARNES_HUT,
    /**
     * FFT-accelerated interpolation (Linderman et al. 2019), O(N) per iteration: 2-D embeddings only.
     */
    FFT,
    /**
     * EXACT up to {@link #AUTO_EXACT_MAX_POINTS} points; above, BARNES_HUT up to
     * {@link #AUTO_FFT_MIN_POINTS} points and FFT from there (Barnes-Hut for 3-D embeddings).
     */
    AUTO;

    /** Largest N for which {@link #AUTO} picks the exact method. */
    public static final int AUTO_EXACT_MAX_POINTS = 1000;
    /**
     * Smallest N for which {@link #AUTO} picks FFT in 2-D. Below it Barnes-Hut at theta 0.5 reaches a lower
     * KL for the same time: at FIt-SNE's default accuracy (3 nodes per unit interval) the FFT forces are off
     * by about 4 % on a spread map, which cost 0.16 in final KL on Fashion-MNIST 60k (2.575 vs 2.410);
     * above it the FFT's O(N) wins (7-9x faster than Barnes-Hut at 1M).
     */
    public static final int AUTO_FFT_MIN_POINTS = 100_000;

    /** The concrete method for n points in a {@code dimensions}-D embedding. */
    public TsneMethod resolve(int n, int dimensions) {
        if (this != AUTO) {
            return this;
        }
        if (n <= AUTO_EXACT_MAX_POINTS) {
            return EXACT;
        }
        return n >= AUTO_FFT_MIN_POINTS && dimensions == 2 ? FFT : BARNES_HUT;
    }

    /** The concrete method for n points in 2-D. */
    public TsneMethod resolve(int n) {
        return resolve(n, 2);
    }

    /** Parses exact, barnes-hut (or bh), fft, auto. */
    public static TsneMethod parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "exact" -> EXACT;
            case "barnes-hut", "barnes_hut", "bh" -> BARNES_HUT;
            case "fft" -> FFT;
            case "auto" -> AUTO;
            default -> throw new TorchsightException(TorchsightException.Kind.METHOD, text,
                    "unknown t-SNE method '" + text + "'; use exact, barnes-hut, fft or auto");
        };
    }

    /** CLI spelling. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
