package dev.torchsight.tsne;

/**
 * The embedding's number of coordinates per point and the degrees of freedom of its similarity kernel
 * w = (1 + |y_i - y_j|^2 / dof)^-dof: dof 1 is the standard Cauchy kernel, smaller values give heavier
 * tails (more separated clusters, Kobak et al. 2019).
 */
record KernelShape(int dimensions, double dof) {
    /** 2-D, dof 1: standard t-SNE. */
    static final KernelShape STANDARD = new KernelShape(2, 1);

    /** True for the kernel every backend supports (the CUDA kernels only run this one). */
    boolean isStandard() {
        return dimensions == 2 && dof == 1;
    }
}
