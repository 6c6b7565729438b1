// FFT-accelerated t-SNE repulsion (FIt-SNE's interpolation scheme) on the CPU, in single-precision FFTs
// (FFTW from the JavaCPP fftw preset, resolved at run time) with per-point sums in double.
#pragma once

namespace torchsight {

/**
 * Repulsion of src points on tgt points with the heavy-tailed kernel w = (1 + |t - s|^2 / dof)^(-dof):
 *   rep[t*dims + c] = sum_s w_ts^((dof+1)/dof) * (tgt_t - src_s)_c,   z_row[t] = sum_s w_ts
 * same_set = 1: src and tgt are the same array (n_src == n_tgt) and the pair t == s is excluded.
 * Returns the sum of z_row (deterministic for a given thread count; in fact for any thread count).
 * dims must be 2. interpolation_points: nodes per interval (FIt-SNE default 3, at most 8);
 * intervals_per_unit: intervals per unit of embedding width (default 1); min_intervals: lower bound per
 * axis (default 50). Returns NaN (and writes nothing) when libfftw3f is not loaded in the process or an
 * argument is outside what the method supports.
 */
double tsne_repulsion_fft(int dims, double dof, int interpolation_points, double intervals_per_unit, int min_intervals,
                          int n_src, const double* src, int n_tgt, const double* tgt, int same_set,
                          double* rep, double* z_row, int threads);

/** 1 when libfftw3f.so.3 is loaded in this process and its functions resolved, else 0. */
int tsne_fft_available();

/**
 * Frees the buffers idle calls keep for reuse (for a 1M-point map about 100 MB each, up to 4 grids);
 * calls in progress keep theirs. The next call allocates again. FFTW plans (small) stay cached.
 */
void tsne_fft_release_workspaces();

}  // namespace torchsight
