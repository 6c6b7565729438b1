// The CPU FFT repulsion's entry for other native files (the host emulation of the CUDA FFT path).
#pragma once

namespace torchsight {
namespace internal {

/** tsne_repulsion_fft for dims = 2 (see tsne_fft.h). */
double fft_repulsion_2d(double dof, int p, double intervals_per_unit, int min_intervals, int n_src, const double* src,
                        int n_tgt, const double* tgt, int same_set, double* rep, double* z_row, int threads);

}  // namespace internal
}  // namespace torchsight
