// Attractive term of the t-SNE gradient over the sparse P.
#include "torchsight/tsne.h"
#include "torchsight/tsne_kernels.h"

namespace torchsight {

void tsne_attractive(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n_rows, int dims, double dof,
                     const double* y_rows, const double* y_cols, double* attr, int threads) {
    const double inv_dof = 1.0 / dof;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n_rows; i++) {
        double* out = &attr[static_cast<int64_t>(dims) * i];
        if (dims == 3) {
            kernels::attractive_row_nd<3>(i, row_ptr, cols, vals, y_rows, y_cols, inv_dof, out);
        } else {
            kernels::attractive_row_nd<2>(i, row_ptr, cols, vals, y_rows, y_cols, inv_dof, out);
        }
    }
}

}  // namespace torchsight
