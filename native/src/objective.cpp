// The KL objective: gradient assembly from its attractive and repulsive terms, the exact normalisation
// Z and KL(P || Q).
#include "torchsight/tsne.h"
#include "torchsight/tsne_kernels.h"

#include <vector>

namespace torchsight {

namespace {

/** sum_{j != i} w_ij for row i: the rows below i and above it, so the pair (i, i) is never formed. */
template <int D>
double normalization_row(int n, const double* y, int i, double dof) {
    const double inv_dof = 1.0 / dof;
    const double* yi = &y[static_cast<int64_t>(D) * i];
    double diff[D];
    double z = 0;
    for (int j = 0; j < n; j++) {
        if (j == i) continue;
        z += kernels::kernel_from_root(kernels::kernel_root<D>(yi, &y[static_cast<int64_t>(D) * j], inv_dof, diff),
                                       dof);
    }
    return z;
}

}  // namespace

void tsne_combine(int n_rows, int dims, const double* attr, const double* rep, double exaggeration, double z,
                  const double* z_row, double* grad, int threads) {
    const double inv_z = z > 0 ? 1.0 / z : 0.0;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n_rows; i++) {
        const double inv = z_row == nullptr ? inv_z : (z_row[i] > 0 ? 1.0 / z_row[i] : 0.0);
        for (int c = 0; c < dims; c++) {
            const int64_t k = static_cast<int64_t>(dims) * i + c;
            grad[k] = kernels::gradient_coordinate(attr[k], rep[k], exaggeration, inv);
        }
    }
}

double tsne_exact_normalization(int n, int dims, double dof, const double* y, int threads) {
    std::vector<double> z_row(n);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        z_row[i] = dims == 3 ? normalization_row<3>(n, y, i, dof) : normalization_row<2>(n, y, i, dof);
    }
    return kernels::ordered_sum(z_row.data(), n);
}

double tsne_kl_divergence(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n, int dims, double dof,
                          const double* y, double z, int threads) {
    std::vector<double> row_kl(n);
    const double inv_z = 1.0 / z;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        row_kl[i] = dims == 3 ? kernels::kl_row_nd<3>(i, row_ptr, cols, vals, y, dof, inv_z)
                              : kernels::kl_row_nd<2>(i, row_ptr, cols, vals, y, dof, inv_z);
    }
    return kernels::ordered_sum(row_kl.data(), n);
}

}  // namespace torchsight
