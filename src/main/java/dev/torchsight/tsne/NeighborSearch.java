package dev.torchsight.tsne;

import java.util.function.LongConsumer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;

/**
 * One way to find, for every row of a matrix, the indices of its k nearest other rows under Euclidean
 * distance. {@link NearestNeighbors#search(Tensor, int, NeighborMethod, Metric, int, long, LongConsumer)} is the
 * entry point: it validates the input and applies the {@link Metric} (cosine: unit rows) before calling one.
 */
interface NeighborSearch {
    /**
     * @param x n x d float32, contiguous, on the CPU, finite; n > k
     * @param k neighbours per row, at least 1
     * @param threads worker threads, at least 1
     * @param progress receives the rows done so far (0..n), non-decreasing, on the calling thread
     * @param indices n*k neighbour indices to fill, row-major, each row without the row itself, nearest first
     */
    void search(Tensor x, int k, int threads, LongConsumer progress, LongPointer indices);
}
