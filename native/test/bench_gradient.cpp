// Quick native sanity check and timing: Barnes-Hut vs exact on clustered random data.
#include "torchsight/tsne.h"
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
using namespace torchsight;
int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000, threads = argc > 2 ? atoi(argv[2]) : 2, k = 91;
    std::mt19937_64 rng(1);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> y(2 * n);
    for (int i = 0; i < n; i++) { y[2*i] = g(rng) * 5 + (i % 10) * 4; y[2*i+1] = g(rng) * 5 + (i % 7) * 3; }
    std::vector<int64_t> nb(static_cast<size_t>(n) * k);
    std::vector<double> d(static_cast<size_t>(n) * k);
    std::uniform_int_distribution<int> u(0, n - 1);
    for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) { int c; do c = u(rng); while (c == i); nb[(size_t)i*k+j] = c; d[(size_t)i*k+j] = 1.0f + j; }
    std::vector<double> pc(static_cast<size_t>(n) * k);
    int bad = tsne_conditional_p(d.data(), n, k, 30, 1e-5, 200, pc.data(), nullptr, threads);
    std::vector<int64_t> rp(n + 1); std::vector<int32_t> cols(2 * (size_t)n * k); std::vector<double> vals(2 * (size_t)n * k);
    int64_t nnz = tsne_symmetrize(nb.data(), pc.data(), n, k, rp.data(), cols.data(), vals.data(), threads);
    std::vector<double> ge(2 * n), gb(2 * n), g0(2 * n);
    auto t0 = std::chrono::steady_clock::now();
    double ze = tsne_gradient(TSNE_EXACT, 0, rp.data(), cols.data(), vals.data(), n, y.data(), 1, ge.data(), threads);
    auto t1 = std::chrono::steady_clock::now();
    double zb = 0; int reps = 20;
    for (int r = 0; r < reps; r++) zb = tsne_gradient(TSNE_BARNES_HUT, 0.5, rp.data(), cols.data(), vals.data(), n, y.data(), 1, gb.data(), threads);
    auto t2 = std::chrono::steady_clock::now();
    double z0 = tsne_gradient(TSNE_BARNES_HUT, 0.0, rp.data(), cols.data(), vals.data(), n, y.data(), 1, g0.data(), threads);
    double num = 0, den = 0, num0 = 0;
    for (int c = 0; c < 2 * n; c++) { num += (gb[c]-ge[c])*(gb[c]-ge[c]); den += ge[c]*ge[c]; num0 += (g0[c]-ge[c])*(g0[c]-ge[c]); }
    printf("n=%d nnz=%lld bad=%d exact %.1f ms, bh %.2f ms/step, z rel %.2e, bh rel err %.3e, theta0 rel err %.3e (z0 %.3e)\n", n, (long long)nnz, bad,
        std::chrono::duration<double, std::milli>(t1 - t0).count(), std::chrono::duration<double, std::milli>(t2 - t1).count() / reps,
        std::fabs(zb - ze) / ze, std::sqrt(num / den), std::sqrt(num0 / den), std::fabs(z0-ze)/ze);
}
