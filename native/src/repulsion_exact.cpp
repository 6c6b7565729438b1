// Exact O(n_src * n_tgt) repulsion.
#include "interaction.h"
#include "torchsight/tsne.h"
#include "torchsight/tsne_kernels.h"

#include <algorithm>
#include <vector>

namespace torchsight {

namespace {

/** Sources transposed to structure-of-arrays, with unit counts, reused across calls. */
struct Sources {
    std::vector<double> c[3], ones;
    void load(int dims, int n, const double* src) {
        for (int d = 0; d < dims; d++) {
            c[d].resize(n);
            for (int s = 0; s < n; s++) c[d][s] = src[static_cast<size_t>(dims) * s + d];
        }
        ones.assign(n, 1.0);
    }
};

thread_local Sources sources;

}  // namespace

double tsne_repulsion_exact(int dims, double dof, int n_src, const double* src, int n_tgt, const double* tgt,
                            int same_set, double* rep, double* z_row, int threads) {
    if (n_tgt <= 0) return 0;
    if (same_set) tgt = src;
    sources.load(dims, n_src, src);
    // Read the calling thread's buffers here: inside the region, `sources` would name each worker's own.
    const double* ones = sources.ones.data();
    const double* all[3] = {sources.c[0].data(), sources.c[1].data(), sources.c[2].data()};
    const InteractFn kernel = interaction_kernel(dims, dof);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int t = 0; t < n_tgt; t++) {
        const double* point = &tgt[static_cast<size_t>(dims) * t];
        double* force = &rep[static_cast<size_t>(dims) * t];
        if (!same_set) {
            kernel(dof, all, ones, static_cast<size_t>(n_src), point, force, &z_row[t]);
            continue;
        }
        // The pair t == s is skipped rather than subtracted, so an isolated point keeps its small z exact.
        double before[3], z_before, after[3], z_after;
        const double* tail[3] = {all[0] + t + 1, all[1] + t + 1, dims == 3 ? all[2] + t + 1 : nullptr};
        kernel(dof, all, ones, static_cast<size_t>(t), point, before, &z_before);
        kernel(dof, tail, ones, static_cast<size_t>(n_src - t - 1), point, after, &z_after);
        for (int d = 0; d < dims; d++) force[d] = before[d] + after[d];
        z_row[t] = z_before + z_after;
    }
    return kernels::ordered_sum(z_row, n_tgt);
}

}  // namespace torchsight
