// Gradient backends (exact O(n^2) and Barnes-Hut), normalisation, KL divergence and the optimiser step.
#include "quadtree.h"
#include "torchsight/tsne.h"
#include "torchsight/tsne_math.h"

#include <cmath>
#include <vector>

namespace torchsight {

namespace {

/** Attractive term sum_j p_ij w_ij (y_i - y_j) for every i, into attr (n*2). */
void attractive_forces(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n,
                       const double* y, double* attr, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        const double xi = y[2 * i], yi = y[2 * i + 1];
        double fx = 0, fy = 0;
        for (int64_t e = row_ptr[i]; e < row_ptr[i + 1]; e++) {
            const int j = cols[e];
            const double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
            const double pw = vals[e] * math::student_t(dx, dy);
            fx += pw * dx;
            fy += pw * dy;
        }
        attr[2 * i] = fx;
        attr[2 * i + 1] = fy;
    }
}

/** Exact repulsion sum_j w_ij^2 (y_i - y_j) into rep, and each row's sum_j w_ij into z_row. */
void exact_repulsion(int n, const double* y, double* rep, double* z_row, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        const double xi = y[2 * i], yi = y[2 * i + 1];
        double fx = 0, fy = 0, z = 0;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            const double dx = xi - y[2 * j], dy = yi - y[2 * j + 1];
            const double w = math::student_t(dx, dy);
            z += w;
            fx += w * w * dx;
            fy += w * w * dy;
        }
        rep[2 * i] = fx;
        rep[2 * i + 1] = fy;
        z_row[i] = z;
    }
}

/** Barnes-Hut repulsion: a cell is summarised when width / distance < theta. */
void barnes_hut_repulsion(const QuadTree& tree, int n, const double* y, double theta, double* rep,
                          double* z_row, int threads) {
    const std::vector<QuadNode>& nodes = tree.nodes();
    const std::vector<int32_t>& order = tree.order();
    const int32_t node_count = static_cast<int32_t>(nodes.size());
    const double theta_sq = theta * theta;
    // Walk points in Morton order: neighbouring iterations visit the same cells (cache locality).
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int r = 0; r < n; r++) {
        const int i = order[r];
        const double xi = y[2 * i], yi = y[2 * i + 1];
        double fx = 0, fy = 0, z = 0;
        int32_t k = 0;
        while (k < node_count) {
            const QuadNode& node = nodes[k];
            const double dx = xi - node.cx, dy = yi - node.cy;
            const double d2 = dx * dx + dy * dy;
            if (node.leaf || node.width_sq < theta_sq * d2) {
                int32_t count = node.count;
                if (node.leaf && r >= node.first && r < node.first + node.count) count--;  // not itself
                if (count > 0) {
                    const double w = 1.0 / (1.0 + d2);
                    const double cw = count * w;
                    z += cw;
                    fx += cw * w * dx;
                    fy += cw * w * dy;
                }
                k = node.next;
            } else {
                k++;
            }
        }
        rep[2 * i] = fx;
        rep[2 * i + 1] = fy;
        z_row[i] = z;
    }
}

/** Per-thread scratch reused across calls so a steady-state step allocates nothing. */
struct Scratch {
    std::vector<double> attr, rep, z_row;
    QuadTree tree;
    void ensure(int n) {
        if (static_cast<int>(z_row.size()) != n) {
            attr.assign(2 * static_cast<size_t>(n), 0.0);
            rep.assign(2 * static_cast<size_t>(n), 0.0);
            z_row.assign(n, 0.0);
        }
    }
};

thread_local Scratch scratch;

/** Sums in index order: the same total for any thread count. */
double ordered_sum(const std::vector<double>& values) {
    double total = 0;
    for (double v : values) total += v;
    return total;
}

}  // namespace

double tsne_gradient(int method, double theta, const int64_t* row_ptr, const int32_t* cols,
                     const double* vals, int n, const double* y, double exaggeration, double* grad,
                     int threads) {
    scratch.ensure(n);
    attractive_forces(row_ptr, cols, vals, n, y, scratch.attr.data(), threads);
    if (method == TSNE_BARNES_HUT) {
        scratch.tree.build(n, y);
        barnes_hut_repulsion(scratch.tree, n, y, theta, scratch.rep.data(), scratch.z_row.data(), threads);
    } else {
        exact_repulsion(n, y, scratch.rep.data(), scratch.z_row.data(), threads);
    }
    const double z = ordered_sum(scratch.z_row);
    const double inv_z = z > 0 ? 1.0 / z : 0.0;
    const double* attr = scratch.attr.data();
    const double* rep = scratch.rep.data();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t c = 0; c < 2 * static_cast<int64_t>(n); c++) {
        grad[c] = 4.0 * (exaggeration * attr[c] - rep[c] * inv_z);
    }
    return z;
}

double tsne_exact_normalization(int n, const double* y, int threads) {
    std::vector<double> z_row(n);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        double z = 0;
        for (int j = 0; j < n; j++) {
            if (j != i) z += math::student_t(y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
        }
        z_row[i] = z;
    }
    return ordered_sum(z_row);
}

double tsne_kl_divergence(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n,
                          const double* y, double z, int threads) {
    std::vector<double> row_kl(n);
    const double inv_z = 1.0 / z;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        double kl = 0;
        for (int64_t e = row_ptr[i]; e < row_ptr[i + 1]; e++) {
            const int j = cols[e];
            const double w = math::student_t(y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
            kl += math::kl_term(vals[e], w * inv_z);
        }
        row_kl[i] = kl;
    }
    return ordered_sum(row_kl);
}

double tsne_update(int64_t len, double* y, double* update, double* gains, const double* grad,
                   double momentum, double learning_rate, double min_gain, int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t c = 0; c < len; c++) {
        const double gain = math::next_gain(gains[c], update[c], grad[c], min_gain);
        gains[c] = gain;
        update[c] = math::momentum_step(update[c], gain * grad[c], momentum, learning_rate);
        y[c] += update[c];
    }
    // The norm is summed serially so the stopping decision does not depend on the thread count.
    double norm_sq = 0;
    for (int64_t c = 0; c < len; c++) {
        const double g = gains[c] * grad[c];
        norm_sq += g * g;
    }
    return std::sqrt(norm_sq);
}

}  // namespace torchsight
