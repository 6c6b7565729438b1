package dev.torchsight.tsne;

/** Placeholder until the ann branch lands. */
public enum Metric { EUCLIDEAN, COSINE }
