package dev.torchsight.tsne;

import org.bytedeco.javacpp.DoublePointer;

/**
 * Computes the t-SNE gradient for the current embedding. Implementations own whatever they need
 * across iterations (trees, device buffers) and free it on close.
 */
interface GradientBackend extends AutoCloseable {
    /**
     * Writes dC/dy for embedding y (n x 2) into grad, with P multiplied by exaggeration.
     *
     * @return the normalisation Z = sum over i != j of 1 / (1 + |y_i - y_j|^2) (possibly approximated)
     */
    double gradient(DoublePointer y, double exaggeration, DoublePointer grad);

    /** KL(P || Q) of the embedding, with Q normalised by z. */
    double klDivergence(DoublePointer y, double z);

    /** Exact normalisation Z, O(n^2). */
    double exactNormalization(DoublePointer y);

    @Override
    void close();
}
