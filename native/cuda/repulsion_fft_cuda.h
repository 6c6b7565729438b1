// The CUDA session's FFT repulsion (TSNE_CUDA_FFT): FIt-SNE's interpolation scheme with the per-point
// functions of fft_kernels.h and cuFFT 2-D transforms, with the defaults fft::kDefault* and dof 1.
// Internal to the .cu files.
#pragma once
#include <cuda_runtime.h>

#include <string>

namespace torchsight {
namespace cuda_fft {

/** Device buffers and cuFFT plans of one session; grid-sized parts grow with the embedding. */
struct State;

/**
 * Resolves cuFFT (libcufft, loaded by the process or found by the dynamic linker) and allocates the
 * per-point buffers for n points. Null with the reason in *error when that fails.
 */
State* create(int n, cudaStream_t stream, std::string* error);

/**
 * rep (n x 2) = sum_j w^2 (y_i - y_j) and z_row (n) = sum_{j != i} w of the device embedding y (n x 2) on
 * the state's stream. Reads the embedding's bounds back to the host (one small synchronous copy) to size
 * the grid. Returns 0, or 1 with the reason in *error.
 */
int repulsion(State* state, const double* y, int n, double* rep, double* z_row, std::string* error);

/** Frees everything; null is ignored. */
void destroy(State* state);

}  // namespace cuda_fft
}  // namespace torchsight
