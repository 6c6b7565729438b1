// Per-element t-SNE math shared by the CPU backend and the CUDA kernels.
// Every function here is plain arithmetic so that CPU tests exercise the exact code the GPU runs.
#pragma once

#if defined(__CUDACC__)
#define TS_HD __host__ __device__ __forceinline__
#else
#define TS_HD inline
#endif

namespace torchsight {
namespace math {

/** Gaussian conditional weight of a neighbour at squared distance d2 for precision beta. */
TS_HD double gaussian(double d2, double beta) {
    // exp(-beta*d2) underflows harmlessly to 0; the caller guards an all-zero row.
#if defined(__CUDA_ARCH__)
    return exp(-beta * d2);
#else
    return __builtin_exp(-beta * d2);
#endif
}

/**
 * Delta-bar-delta gain: grow by 0.2 when the gradient changed sign against the last update,
 * shrink by 0.8 otherwise, never below min_gain (scikit-learn's rule).
 */
TS_HD double next_gain(double gain, double update, double grad, double min_gain) {
    double g = (update * grad < 0.0) ? gain + 0.2 : gain * 0.8;
    return g < min_gain ? min_gain : g;
}

/** One momentum step on one coordinate; returns the new update. */
TS_HD double momentum_step(double update, double gained_grad, double momentum, double learning_rate) {
    return momentum * update - learning_rate * gained_grad;
}

/** One term of KL(P||Q): p log(p / q), with both clamped away from zero as scikit-learn does. */
TS_HD double kl_term(double p, double q) {
    const double tiny = 1.1754943508222875e-38;  // FLT_MIN, scikit-learn's clamp
    double pc = p > tiny ? p : tiny;
    double qc = q > tiny ? q : tiny;
#if defined(__CUDA_ARCH__)
    return p * log(pc / qc);
#else
    return p * __builtin_log(pc / qc);
#endif
}

}  // namespace math
}  // namespace torchsight
