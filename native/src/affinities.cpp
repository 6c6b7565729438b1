// Perplexity calibration and symmetrisation of the sparse kNN affinities.
#include "torchsight/tsne.h"
#include "torchsight/tsne_math.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace torchsight {

namespace {

/** Calibrates one row; returns true when the perplexity reached the tolerance. */
bool calibrate_row(const double* d2, int k, double target_perplexity, double tol, int max_steps,
                   double* p, double* beta_out) {
    // Shift by the nearest distance so exp() never underflows the whole row (the shift cancels).
    double d_min = std::numeric_limits<double>::infinity();
    for (int j = 0; j < k; j++) d_min = std::min(d_min, d2[j]);
    double beta = 1.0, lo = 0.0, hi = std::numeric_limits<double>::infinity();
    bool converged = false;
    for (int step = 0; step < max_steps; step++) {
        double sum = 0.0, weighted = 0.0;
        for (int j = 0; j < k; j++) {
            double d = d2[j] - d_min;
            double w = math::gaussian(d, beta);
            p[j] = w;
            sum += w;
            weighted += w * d;
        }
        // H (nats) = log(sum) + beta * E[d]; perplexity = e^H = 2^(H in bits).
        double entropy = std::log(sum) + beta * weighted / sum;
        double perplexity = std::exp(entropy);
        for (int j = 0; j < k; j++) p[j] /= sum;
        double diff = perplexity - target_perplexity;
        if (std::fabs(diff) <= tol) { converged = true; break; }
        if (diff > 0) {  // too flat: sharpen
            lo = beta;
            beta = std::isinf(hi) ? beta * 2.0 : 0.5 * (beta + hi);
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
        if (!(beta < 1e300)) break;  // all neighbours equidistant: the row stays uniform
    }
    if (beta_out) *beta_out = beta;
    return converged;
}

}  // namespace

int tsne_conditional_p(const double* dist_sq, int n, int k, double perplexity, double tol, int max_steps,
                       double* out_p, double* out_beta, int threads) {
    int failed = 0;
#pragma omp parallel for schedule(static) num_threads(threads) reduction(+ : failed)
    for (int i = 0; i < n; i++) {
        double beta;
        bool ok = calibrate_row(dist_sq + static_cast<int64_t>(i) * k, k, perplexity, tol, max_steps,
                                out_p + static_cast<int64_t>(i) * k, &beta);
        if (out_beta) out_beta[i] = beta;
        if (!ok) failed++;
    }
    return failed;
}

void tsne_neighbor_distances(const float* x, int n, int d, const int64_t* neighbours, int k, double* out,
                             int threads) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        const float* xi = x + static_cast<int64_t>(i) * d;
        for (int j = 0; j < k; j++) {
            const float* xj = x + neighbours[static_cast<int64_t>(i) * k + j] * d;
            double s = 0;
            for (int c = 0; c < d; c++) {
                const double diff = static_cast<double>(xi[c]) - xj[c];
                s += diff * diff;
            }
            out[static_cast<int64_t>(i) * k + j] = s;
        }
    }
}

int64_t tsne_symmetrize(const int64_t* neighbours, const double* p_cond, int n, int k,
                        int64_t* row_ptr, int32_t* cols, double* vals, int threads) {
    // Scatter every edge (i,j,p) both as row i and row j, then sort each row and merge duplicates.
    std::vector<int64_t> start(static_cast<size_t>(n) + 1, 0);
    for (int64_t e = 0; e < static_cast<int64_t>(n) * k; e++) {
        start[e / k + 1]++;
        start[neighbours[e] + 1]++;
    }
    for (int i = 0; i < n; i++) start[i + 1] += start[i];
    std::vector<int64_t> fill(start.begin(), start.end() - 1);
    std::vector<std::pair<int32_t, double>> edges(static_cast<size_t>(start[n]));
    for (int64_t e = 0; e < static_cast<int64_t>(n) * k; e++) {
        int32_t i = static_cast<int32_t>(e / k);
        int32_t j = static_cast<int32_t>(neighbours[e]);
        edges[fill[i]++] = {j, p_cond[e]};
        edges[fill[j]++] = {i, p_cond[e]};
    }
    std::vector<int64_t> row_nnz(n);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        auto first = edges.begin() + start[i], last = edges.begin() + start[i + 1];
        // Stable order: by column, then by value, so merging sums in a fixed order.
        std::sort(first, last);
        int64_t out = start[i];
        for (auto it = first; it != last; ++it) {
            if (out > start[i] && edges[out - 1].first == it->first) {
                edges[out - 1].second += it->second;
            } else {
                edges[out++] = *it;
            }
        }
        row_nnz[i] = out - start[i];
    }
    const double scale = 1.0 / (2.0 * n);
    row_ptr[0] = 0;
    for (int i = 0; i < n; i++) row_ptr[i + 1] = row_ptr[i] + row_nnz[i];
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int i = 0; i < n; i++) {
        for (int64_t e = 0; e < row_nnz[i]; e++) {
            cols[row_ptr[i] + e] = edges[start[i] + e].first;
            vals[row_ptr[i] + e] = edges[start[i] + e].second * scale;
        }
    }
    return row_ptr[n];
}

int tsne_openmp_enabled() {
#ifdef _OPENMP
    return 1;
#else
    return 0;
#endif
}

}  // namespace torchsight
