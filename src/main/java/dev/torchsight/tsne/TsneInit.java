package dev.torchsight.tsne;

/** The built-in initialisations by name; {@link Initialization} has them as strategies, plus given coordinates. */
public enum TsneInit {
    /** The top principal components, scaled so the first has standard deviation 1e-4 (default). */
    PCA,
    /** Gaussian noise with standard deviation 1e-4 from the seed. */
    RANDOM;

    /** This choice as a strategy. */
    public Initialization strategy() {
        return this == PCA ? Initialization.pca() : Initialization.random();
    }
}
