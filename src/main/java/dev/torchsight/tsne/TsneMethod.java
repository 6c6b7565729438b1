package dev.torchsight.tsne;

import dev.torchsight.core.TorchsightException;
import java.util.Locale;

/** How the gradient's repulsive forces are computed. */
public enum TsneMethod {
    /**
     * All pairs, O(N^2) per iteration, with P over all N-1 neighbours (no kNN approximation), as
     * scikit-learn's method='exact'. Memory grows as N^2.
     */
    EXACT,
    /** Barnes-Hut quadtree, O(N log N), with P over the 3*perplexity nearest neighbours. */
    BARNES_HUT,
    /** EXACT up to {@link #AUTO_EXACT_MAX_POINTS} points, BARNES_HUT above. */
    AUTO;

    /** Largest N for which {@link #AUTO} picks the exact method. */
    public static final int AUTO_EXACT_MAX_POINTS = 1000;

    /** The concrete method for n points. */
    public TsneMethod resolve(int n) {
        if (this != AUTO) {
            return this;
        }
        return n <= AUTO_EXACT_MAX_POINTS ? EXACT : BARNES_HUT;
    }

    /** Parses exact, barnes-hut (or bh), auto. */
    public static TsneMethod parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "exact" -> EXACT;
            case "barnes-hut", "barnes_hut", "bh" -> BARNES_HUT;
            case "auto" -> AUTO;
            default -> throw new TorchsightException(TorchsightException.Kind.METHOD, text,
                    "unknown t-SNE method '" + text + "'; use exact, barnes-hut or auto");
        };
    }

    /** CLI spelling. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
