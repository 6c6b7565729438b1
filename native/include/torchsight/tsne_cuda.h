// The CUDA t-SNE backend: a device-resident optimisation session, and the host emulation of its
// repulsion algorithms. In a build without nvcc every session call fails with a clear reason.
// Status-returning calls give 0 on success; otherwise tsne_cuda_last_error names the failure.
#pragma once
#include <cstdint>

namespace torchsight {

/** Repulsion algorithms of the CUDA backend. */
enum TsneCudaRepulsion {
    /** Pick by size: exact tiles up to TSNE_CUDA_EXACT_MAX_POINTS points, the tree above. */
    TSNE_CUDA_AUTO = -1,
    /** All pairs, shared-memory tiles of 256 points, float arithmetic accumulated in double per tile. */
    TSNE_CUDA_EXACT_TILES = 0,
    /** Barnes-Hut over an implicit quadtree (sorted Morton codes + integer prefix sums). */
    TSNE_CUDA_TREE = 1,
    /**
     * FFT-interpolated repulsion (FIt-SNE's scheme, its defaults: 3 nodes per unit interval, at least 50
     * intervals) with cuFFT, which is resolved at run time (libcufft.so.12/.11 loaded or on the path).
     */
    TSNE_CUDA_FFT = 2
};

/** Largest n for which TSNE_CUDA_AUTO uses exact tiles (about 2 ms per iteration on an H100 there). */
constexpr int TSNE_CUDA_EXACT_MAX_POINTS = 100000;

/** Opaque session: device buffers for P, y, update, gains, forces and scratch, for one optimisation. */
struct TsneCudaSession;

/**
 * Copies the CSR P (n rows) and the initial embedding y (n x 2) to the device and allocates everything
 * the steps need. Returns null when that fails, with the reason in error (capacity bytes).
 * theta is the Barnes-Hut accuracy of TSNE_CUDA_TREE.
 */
TsneCudaSession* tsne_cuda_create(int device, const int64_t* row_ptr, const int32_t* cols, const double* vals,
                                  int n, const double* y, int repulsion, double theta, char* error, int capacity);

/** The repulsion algorithm the session uses (AUTO resolved). */
int tsne_cuda_repulsion(const TsneCudaSession* session);

/** Starts a phase: update = 0, gains = 1 (as scikit-learn does at each phase). Asynchronous. */
int tsne_cuda_reset_optimizer(TsneCudaSession* session);

/**
 * One iteration on the device: gradient with P times exaggeration, then the gains + momentum update.
 * Asynchronous: copies nothing to the host.
 */
int tsne_cuda_step(TsneCudaSession* session, double exaggeration, double momentum, double learning_rate,
                   double min_gain);

/**
 * Waits for the queued steps and reads the last step's scalars: out[0] = Z, out[1] = gradient norm,
 * out[2] = milliseconds the device spent on steps since the session started (CUDA events).
 */
int tsne_cuda_scalars(TsneCudaSession* session, double* out);

/** KL(P || Q) of the current embedding with Q normalised by z. */
int tsne_cuda_kl_divergence(TsneCudaSession* session, double z, double* out);

/** Exact normalisation Z of the current embedding (all pairs, tiled). */
int tsne_cuda_exact_normalization(TsneCudaSession* session, double* out);

/** Gradient (n x 2) and Z at the current embedding, copied to the host; changes nothing (tests). */
int tsne_cuda_gradient(TsneCudaSession* session, double exaggeration, double* grad, double* z);

/** Copies the current embedding (n x 2) to the host. */
int tsne_cuda_embedding(TsneCudaSession* session, double* y);

/** The last failure of this session, or "" (valid until the next call). */
const char* tsne_cuda_last_error(const TsneCudaSession* session);

/** Frees the device buffers. Null is ignored. */
void tsne_cuda_destroy(TsneCudaSession* session);

/**
 * The CUDA backend's repulsion algorithm run on the host with the same per-thread functions
 * (TSNE_CUDA_EXACT_TILES or TSNE_CUDA_TREE): rep (n x 2) = sum_j w^2 (y_i - y_j), z_row (n) = sum_{j!=i} w.
 * Returns Z. Lets CPU tests cover the device math; OpenMP over points.
 */
double tsne_cuda_emulated_repulsion(int repulsion, int n, const double* y, double theta, double* rep,
                                    double* z_row, int threads);

/**
 * The CUDA backend's FFT repulsion on the host: the same layout, stable sort by box, charge, kernel,
 * spectrum-product and potential functions (fft_kernels.h) as the kernels, with FFTW's transforms in
 * place of cuFFT's (libfftw3f must be loaded). rep (n x 2) = sum_j w^2 (y_i - y_j), z_row (n); returns Z,
 * or NaN without FFTW.
 */
double tsne_cuda_emulated_fft_repulsion(int n, const double* y, double* rep, double* z_row, int threads);

}  // namespace torchsight
