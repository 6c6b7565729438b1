// Attractive term of the t-SNE gradient over the sparse P.
#include "torchsight/tsne.h"
#include "torchsight/tsne_kernels.h"

namespace torchsight {

namespace {

template <int D, bool kUnit>
void attractive_rows(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n_rows, double inv_dof,
                     const double* y_rows, const double* y_cols, double* attr, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n_rows; i++) {
        kernels::attractive_row_nd<D, kUnit>(i, row_ptr, cols, vals, y_rows, y_cols, inv_dof,
                                             &attr[static_cast<int64_t>(D) * i]);
    }
}

}  // namespace

void tsne_attractive(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n_rows, int dims, double dof,
                     const double* y_rows, const double* y_cols, double* attr, int threads) {
    const double inv_dof = 1.0 / dof;
    const bool unit = dof == 1.0;
    if (dims == 3) {
        (unit ? attractive_rows<3, true> : attractive_rows<3, false>)(row_ptr, cols, vals, n_rows, inv_dof, y_rows,
                                                                      y_cols, attr, threads);
    } else {
        (unit ? attractive_rows<2, true> : attractive_rows<2, false>)(row_ptr, cols, vals, n_rows, inv_dof, y_rows,
                                                                      y_cols, attr, threads);
    }
}

}  // namespace torchsight
