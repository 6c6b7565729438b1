/**
 * t-SNE: {@link dev.torchsight.tsne.Tsne} (builder and fit) and its result,
 * {@link dev.torchsight.tsne.Embedding}. A fit changes no process-wide state: torch's global random
 * generator and libtorch's thread count are left as the caller set them (native stages take their
 * thread count from {@code Tsne.Builder.optThreads}); inputs are only read, results are Java values.
 */
package dev.torchsight.tsne;
