package dev.torchsight.cam;

import dev.torchsight.core.Threads;

/**
 * The process settings every benchmark here starts with, the command line's own: libtorch's intra-op
 * threads, and one OpenBLAS thread per caller (the preset's OpenBLAS workers busy-wait after each call,
 * so after an SVD in Eigen-CAM or KPCA-CAM they would slow the next forward pass on a small machine).
 */
final class BenchProcess {
    private BenchProcess() {}

    /** Sets libtorch's thread count to {@code threads} and OpenBLAS's to 1. */
    static void configure(int threads) {
        Threads.configure(threads);
        org.bytedeco.openblas.global.openblas_nolapack.blas_set_num_threads(1);
    }
}
