// The CUDA backend's repulsion algorithms on the host, through the same per-thread functions as the
// kernels: what CPU tests use to check the device math where no GPU is present.
#include "torchsight/tsne_cuda.h"
#include "torchsight/tsne_kernels.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace torchsight {

namespace {

/** Mirrors the exact kernel: each point walks all tiles in order (the kernel cuts the walk into splits whose
 *  double partial sums it adds in order; only double rounding differs). */
void emulate_exact_tiles(int n, const double* y, double* rep, double* z_row, int threads) {
    std::vector<float> yf(2 * static_cast<size_t>(n));
    for (size_t c = 0; c < yf.size(); c++) yf[c] = static_cast<float>(y[c]);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        double fx = 0, fy = 0, z = 0;
        for (int base = 0; base < n; base += kernels::kTile) {
            float tfx, tfy, tz;
            kernels::repulsion_tile(yf[2 * i], yf[2 * i + 1], &yf[2 * static_cast<size_t>(base)],
                                    std::min(kernels::kTile, n - base), &tfx, &tfy, &tz);
            fx += tfx;
            fy += tfy;
            z += tz;
        }
        rep[2 * i] = fx;
        rep[2 * i + 1] = fy;
        z_row[i] = z - 1.0;  // the point's own entry
    }
}

/** Mirrors the tree kernels: box, Morton codes, stable sort, integer prefix sums, one walk per point. */
void emulate_tree(int n, const double* y, double theta, double* rep, double* z_row, int threads) {
    double b[4];
    kernels::embedding_bounds(n, y, b);
    const kernels::TreeBox box = kernels::make_box(b[0], b[1], b[2], b[3]);
    std::vector<uint32_t> codes(n);
    for (int i = 0; i < n; i++) codes[i] = kernels::morton_code(y[2 * i], y[2 * i + 1], box);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return codes[a] < codes[b]; });
    std::vector<uint32_t> sorted_codes(n);
    std::vector<double> sx(n), sy(n);
    std::vector<int64_t> sum_x(n + 1, 0), sum_y(n + 1, 0);
    for (int r = 0; r < n; r++) {
        const int i = order[r];
        sorted_codes[r] = codes[i];
        sx[r] = y[2 * i];
        sy[r] = y[2 * i + 1];
        sum_x[r + 1] = sum_x[r] + kernels::fixed_point(sx[r], box.x0, box.side);
        sum_y[r + 1] = sum_y[r] + kernels::fixed_point(sy[r], box.y0, box.side);
    }
    const kernels::TreeView view{sorted_codes.data(), sx.data(), sy.data(), sum_x.data(), sum_y.data(), n, box};
#pragma omp parallel for schedule(dynamic, 64) num_threads(threads)
    for (int r = 0; r < n; r++) {
        const int i = order[r];
        kernels::tree_repulsion(view, r, theta, &rep[2 * i], &rep[2 * i + 1], &z_row[i]);
    }
}

}  // namespace

double tsne_cuda_emulated_repulsion(int repulsion, int n, const double* y, double theta, double* rep,
                                    double* z_row, int threads) {
    if (repulsion == TSNE_CUDA_TREE) {
        emulate_tree(n, y, theta, rep, z_row, threads);
    } else {
        emulate_exact_tiles(n, y, rep, z_row, threads);
    }
    return kernels::ordered_sum(z_row, n);
}

}  // namespace torchsight
