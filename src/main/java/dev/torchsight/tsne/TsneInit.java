package dev.torchsight.tsne;

/** Initial embedding. */
public enum TsneInit {
    /** The top two principal components, scaled so the first has standard deviation 1e-4 (default). */
    PCA,
    /** Gaussian noise with standard deviation 1e-4 from the seed. */
    RANDOM
}
