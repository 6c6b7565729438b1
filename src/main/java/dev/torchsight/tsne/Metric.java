package dev.torchsight.tsne;

/**
 * The input-space distance behind t-SNE's neighbours and affinities.
 *
 * <p>{@link #COSINE} normalises every row to unit length and then works with Euclidean distances, which
 * rank neighbours exactly as cosine similarity does: {@code |a/|a| - b/|b||^2 = 2 (1 - cos(a, b))}. The
 * affinities get that squared chord distance, {@code 2 (1 - cos)}: twice scikit-learn's cosine distance, and a
 * constant factor is absorbed by each row's perplexity-calibrated bandwidth, so P equals scikit-learn's
 * {@code TSNE(metric="cosine")} (which uses the cosine distance itself, unsquared). Rows must not be all zeros.
 */
public enum Metric {
    /** Euclidean distance; affinities get its square. */
    EUCLIDEAN,
    /** Cosine: rows normalised to unit length; affinities get {@code 2 (1 - cos)}. */
    COSINE
}
