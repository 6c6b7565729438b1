// Native timing and sanity check of the CPU gradient: Barnes-Hut vs exact on clustered random data.
// Usage: bench_gradient [n=10000] [threads=2] [dims=2] [dof=1] [reps=20]
// Build: g++ -std=c++17 -O3 -fopenmp -Inative/include native/test/bench_gradient.cpp -Ltarget/native -ltorchsight
#include "torchsight/tsne.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
using namespace torchsight;
using Clock = std::chrono::steady_clock;

static double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

int main(int argc, char** argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 10000, threads = argc > 2 ? atoi(argv[2]) : 2;
    const int dims = argc > 3 ? atoi(argv[3]) : 2, reps = argc > 5 ? atoi(argv[5]) : 20, k = 91;
    const double dof = argc > 4 ? atof(argv[4]) : 1.0;
    std::mt19937_64 rng(1);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> y(static_cast<size_t>(dims) * n);
    for (int i = 0; i < n; i++) {
        y[dims * i] = g(rng) * 5 + (i % 10) * 4;
        y[dims * i + 1] = g(rng) * 5 + (i % 7) * 3;
        if (dims == 3) y[dims * i + 2] = g(rng) * 5 + (i % 3) * 4;
    }
    std::vector<int64_t> nb(static_cast<size_t>(n) * k);
    std::vector<double> d(static_cast<size_t>(n) * k);
    std::uniform_int_distribution<int> u(0, n - 1);
    for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) { int c; do c = u(rng); while (c == i); nb[(size_t)i*k+j] = c; d[(size_t)i*k+j] = 1.0f + j; }
    std::vector<double> pc(static_cast<size_t>(n) * k);
    const int bad = tsne_conditional_p(d.data(), n, k, 30, 1e-5, 200, pc.data(), nullptr, threads);
    std::vector<int64_t> rp(n + 1); std::vector<int32_t> cols(2 * (size_t)n * k); std::vector<double> vals(2 * (size_t)n * k);
    const int64_t nnz = tsne_symmetrize(nb.data(), pc.data(), n, k, rp.data(), cols.data(), vals.data(), threads);
    const size_t len = y.size();
    std::vector<double> attr(len), rep(len), z_row(n), ge(len), gb(len), g0(len);
    // One full gradient: attractive + repulsion (exact or Barnes-Hut at theta) + combine; returns Z.
    auto gradient = [&](bool bh, double theta, std::vector<double>& grad) {
        tsne_attractive(rp.data(), cols.data(), vals.data(), n, dims, dof, y.data(), y.data(), attr.data(), threads);
        const double z = bh ? tsne_repulsion_barnes_hut(dims, dof, theta, n, y.data(), n, y.data(), 1, rep.data(), z_row.data(), threads)
                            : tsne_repulsion_exact(dims, dof, n, y.data(), n, y.data(), 1, rep.data(), z_row.data(), threads);
        tsne_combine(n, dims, attr.data(), rep.data(), 1.0, z, nullptr, grad.data(), threads);
        return z;
    };
    auto t0 = Clock::now();
    const double ze = gradient(false, 0, ge);
    auto t1 = Clock::now();
    double zb = 0;
    std::vector<double> rep_ms, grad_ms;
    for (int r = 0; r < reps; r++) {
        auto a = Clock::now();
        tsne_repulsion_barnes_hut(dims, dof, 0.5, n, y.data(), n, y.data(), 1, rep.data(), z_row.data(), threads);
        auto b = Clock::now();
        zb = gradient(true, 0.5, gb);
        auto c = Clock::now();
        rep_ms.push_back(ms(a, b));
        grad_ms.push_back(ms(b, c));
    }
    std::sort(rep_ms.begin(), rep_ms.end());
    std::sort(grad_ms.begin(), grad_ms.end());
    const double z0 = gradient(true, 0.0, g0);
    double num = 0, den = 0, num0 = 0;
    for (size_t c = 0; c < len; c++) { num += (gb[c]-ge[c])*(gb[c]-ge[c]); den += ge[c]*ge[c]; num0 += (g0[c]-ge[c])*(g0[c]-ge[c]); }
    printf("n=%d dims=%d dof=%g threads=%d nnz=%lld bad=%d | exact gradient %.1f ms | BH(0.5) median: repulsion %.2f ms, "
           "gradient %.2f ms | Z rel %.2e, BH grad rel err %.3e, theta0 rel err %.3e (Z %.1e)\n",
           n, dims, dof, threads, (long long)nnz, bad, ms(t0, t1), rep_ms[reps / 2], grad_ms[reps / 2],
           std::fabs(zb - ze) / ze, std::sqrt(num / den), std::sqrt(num0 / den), std::fabs(z0 - ze) / ze);
}
