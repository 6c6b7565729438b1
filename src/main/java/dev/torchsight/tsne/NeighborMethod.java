package dev.torchsight.tsne;

/** Placeholder until the ann branch lands. */
public enum NeighborMethod {
    EXACT, APPROX, AUTO;

    public NeighborMethod resolve(int n) {
        return this != AUTO ? this : n > 50_000 ? APPROX : EXACT;
    }
}
