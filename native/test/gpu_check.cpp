// GPU check driver for benchmarks/gpu/check.sh: the CUDA backend against the CPU backend on the same
// input, then timings. Needs only libtorchsight (built by cppbuild.sh) and a GPU. One summary line per
// check: "PASS|FAIL|INFO <name>: <numbers>". Exit code 0 when every check passed.
//
// Usage: gpu_check [--cpu-only]   (--cpu-only runs the host-side parts: emulation and CPU baseline)
// The FFT checks need libfftw3f for the host emulation: TORCHSIGHT_FFTW=path/to/libfftw3f.so.3 (check.sh
// takes it from the JavaCPP fftw preset in ~/.m2); the GPU path needs libcufft.so.12/.11 on the library path.
#include "torchsight/cuda.h"
#include "torchsight/tsne.h"
#include "torchsight/tsne_cuda.h"

#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace torchsight;

namespace {

int failures = 0;

void report(bool pass, const char* name, const std::string& detail) {
    std::printf("%s %s: %s\n", pass ? "PASS" : "FAIL", name, detail.c_str());
    std::fflush(stdout);
    if (!pass) failures++;
}

void info(const char* name, const std::string& detail) {
    std::printf("INFO %s: %s\n", name, detail.c_str());
    std::fflush(stdout);
}

std::string format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
    char text[256];
    std::snprintf(text, sizeof text, fmt, a, b, c, d);
    return text;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/** Sparse symmetric P of synthetic clustered data: 20 Gaussian clusters in 10-D, 90 random same-cluster
 *  neighbours per point (a stand-in for kNN that keeps the cluster structure), perplexity 30. */
struct Affinities {
    int n = 0;
    std::vector<int64_t> row_ptr;
    std::vector<int32_t> cols;
    std::vector<double> vals;
};

Affinities clustered_affinities(int n, int threads) {
    const int dims = 10, clusters = 20, k = 90;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0, 1);
    std::vector<double> centres(clusters * dims), x(static_cast<size_t>(n) * dims);
    for (double& c : centres) c = normal(rng) * 8;
    for (int i = 0; i < n; i++) {
        for (int d = 0; d < dims; d++) x[static_cast<size_t>(i) * dims + d] = centres[(i % clusters) * dims + d] + normal(rng);
    }
    std::vector<int64_t> neighbours(static_cast<size_t>(n) * k);
    std::vector<double> dist(static_cast<size_t>(n) * k);
    const int per_cluster = n / clusters;
    std::uniform_int_distribution<int> member(0, per_cluster - 1);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            int other;
            do other = member(rng) * clusters + i % clusters; while (other == i || other >= n);
            neighbours[static_cast<size_t>(i) * k + j] = other;
            double d2 = 0;
            for (int d = 0; d < dims; d++) {
                const double diff = x[static_cast<size_t>(i) * dims + d] - x[static_cast<size_t>(other) * dims + d];
                d2 += diff * diff;
            }
            dist[static_cast<size_t>(i) * k + j] = d2;
        }
    }
    std::vector<double> conditional(static_cast<size_t>(n) * k);
    tsne_conditional_p(dist.data(), n, k, 30, 1e-5, 200, conditional.data(), nullptr, threads);
    Affinities p;
    p.n = n;
    p.row_ptr.resize(n + 1);
    p.cols.resize(2 * static_cast<size_t>(n) * k);
    p.vals.resize(2 * static_cast<size_t>(n) * k);
    const int64_t nnz = tsne_symmetrize(neighbours.data(), conditional.data(), n, k, p.row_ptr.data(), p.cols.data(),
                                        p.vals.data(), threads);
    p.cols.resize(nnz);
    p.vals.resize(nnz);
    return p;
}

std::vector<double> spread_embedding(int n, double scale, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0, scale);
    std::vector<double> y(2 * static_cast<size_t>(n));
    for (size_t c = 0; c < y.size(); c++) y[c] = normal(rng) + ((c / 2) % 7) * scale;
    return y;
}

double relative_error(const std::vector<double>& a, const std::vector<double>& b) {
    double num = 0, den = 0;
    for (size_t c = 0; c < a.size(); c++) {
        num += (a[c] - b[c]) * (a[c] - b[c]);
        den += b[c] * b[c];
    }
    return std::sqrt(num / den);
}

enum CpuMethod { CPU_EXACT, CPU_BARNES_HUT };

/** The CPU backend's 2-D, dof 1 gradient (attractive + repulsion + combine); returns Z. */
double cpu_gradient(const Affinities& p, CpuMethod method, double theta, const std::vector<double>& y,
                    double exaggeration, std::vector<double>& grad, int threads) {
    grad.assign(y.size(), 0);
    std::vector<double> attr(y.size()), rep(y.size()), z_row(p.n);
    tsne_attractive(p.row_ptr.data(), p.cols.data(), p.vals.data(), p.n, 2, 1.0, y.data(), y.data(), attr.data(),
                    threads);
    const double z = method == CPU_BARNES_HUT
                         ? tsne_repulsion_barnes_hut(2, 1.0, theta, p.n, y.data(), p.n, y.data(), 1, rep.data(),
                                                     z_row.data(), threads)
                         : tsne_repulsion_exact(2, 1.0, p.n, y.data(), p.n, y.data(), 1, rep.data(), z_row.data(),
                                                threads);
    tsne_combine(p.n, 2, attr.data(), rep.data(), exaggeration, z, nullptr, grad.data(), threads);
    return z;
}

TsneCudaSession* open_session(const Affinities& p, const std::vector<double>& y, int repulsion, double theta) {
    char error[512] = {0};
    TsneCudaSession* s = tsne_cuda_create(0, p.row_ptr.data(), p.cols.data(), p.vals.data(), p.n, y.data(), repulsion,
                                          theta, error, sizeof error);
    if (s == nullptr) std::printf("FAIL session: %s\n", error);
    return s;
}

/** scikit-learn's schedule over a CUDA session; returns seconds, fills final KL and device ms. */
double run_schedule(TsneCudaSession* s, int n, int iterations, double* kl, double* device_ms) {
    const double lr = std::max(n / 12.0 / 4.0, 50.0);
    double scalars[3] = {0, 0, 0};
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; i++) {
        if (i == 0 || i == 250) tsne_cuda_reset_optimizer(s);
        const bool early = i < 250;
        tsne_cuda_step(s, early ? 12.0 : 1.0, early ? 0.5 : 0.8, lr, 0.01);
        if ((i + 1) % 50 == 0) {  // what the Java optimiser reads at each check
            tsne_cuda_scalars(s, scalars);
            tsne_cuda_kl_divergence(s, scalars[0], kl);
        }
    }
    tsne_cuda_scalars(s, scalars);
    const double elapsed = seconds_since(t0);
    *device_ms = scalars[2];
    return elapsed;
}

void check_forces(int threads) {
    const int n = 5000;
    const Affinities p = clustered_affinities(n, threads);
    const std::vector<double> y = spread_embedding(n, 3, 7);
    std::vector<double> exact, bh;
    const double z_exact = cpu_gradient(p, CPU_EXACT, 0, y, 4, exact, threads);
    cpu_gradient(p, CPU_BARNES_HUT, 0.5, y, 4, bh, threads);
    const double cpu_bh_error = relative_error(bh, exact);
    struct Case { const char* name; int repulsion; double theta; double tolerance; };
    const Case cases[] = {{"forces_exact_tiles", TSNE_CUDA_EXACT_TILES, 0, 1e-4},
                          {"forces_tree_theta0", TSNE_CUDA_TREE, 0, 1e-4},
                          {"forces_tree_theta0.5", TSNE_CUDA_TREE, 0.5, 2e-2},
                          {"forces_fft", TSNE_CUDA_FFT, 0, 2e-2}};  // the host emulation: 5.8e-3 on the repulsion
    // 4 * attraction, from the CPU backend: the gradient with exaggeration 1 minus the one with 0.
    std::vector<double> attraction4, no_attraction;
    cpu_gradient(p, CPU_EXACT, 0, y, 1, attraction4, threads);
    cpu_gradient(p, CPU_EXACT, 0, y, 0, no_attraction, threads);
    for (size_t k = 0; k < y.size(); k++) attraction4[k] -= no_attraction[k];
    for (const Case& c : cases) {
        TsneCudaSession* s = open_session(p, y, c.repulsion, c.theta);
        if (s == nullptr) { failures++; continue; }
        std::vector<double> grad(y.size());
        double z = 0;
        const int status = tsne_cuda_gradient(s, 4, grad.data(), &z);
        const double err = relative_error(grad, exact), z_err = std::fabs(z - z_exact) / z_exact;
        report(status == 0 && err <= c.tolerance && z_err <= c.tolerance, c.name,
               format("n=5000 relative error %.2e, Z %.2e (bound %.0e; CPU Barnes-Hut theta 0.5: %.2e)", err, z_err,
                      c.tolerance, cpu_bh_error));
        // The same algorithm through the shared per-thread functions on the host: the kernels must agree with
        // it far more closely than with the CPU backend (only float intrinsics and FMA contraction differ).
        std::vector<double> rep(y.size()), z_row(n), emulated(y.size());
        const double z_emulated =
            c.repulsion == TSNE_CUDA_FFT
                ? tsne_cuda_emulated_fft_repulsion(n, y.data(), rep.data(), z_row.data(), threads)
                : tsne_cuda_emulated_repulsion(c.repulsion, n, y.data(), c.theta, rep.data(), z_row.data(), threads);
        for (size_t k = 0; k < y.size(); k++) emulated[k] = 4 * attraction4[k] - 4 * rep[k] / z_emulated;
        const double emulation_err = relative_error(grad, emulated);
        // FFT: cuFFT's 2-D transforms against FFTW's row/column ones, both in float, differ in rounding only.
        const double emulation_bound = c.repulsion == TSNE_CUDA_TREE ? 1e-6 : c.repulsion == TSNE_CUDA_FFT ? 1e-4 : 1e-5;
        report(status == 0 && emulation_err <= emulation_bound, (std::string(c.name) + "_vs_host_emulation").c_str(),
               format("relative %.2e (bound %.0e)", emulation_err, emulation_bound));
        if (c.repulsion == TSNE_CUDA_EXACT_TILES) {
            double kl_gpu = 0;
            tsne_cuda_kl_divergence(s, z_exact, &kl_gpu);
            const double kl_cpu = tsne_kl_divergence(p.row_ptr.data(), p.cols.data(), p.vals.data(), n, 2, 1.0,
                                                     y.data(), z_exact, threads);
            const double kl_err = std::fabs(kl_gpu - kl_cpu) / std::fabs(kl_cpu);
            report(kl_err <= 1e-3, "kl", format("GPU %.6f vs CPU %.6f, relative %.2e (bound 1e-3)", kl_gpu, kl_cpu, kl_err));
            double z_norm = 0;
            tsne_cuda_exact_normalization(s, &z_norm);
            const double zn_err = std::fabs(z_norm - z_exact) / z_exact;
            report(zn_err <= 1e-4, "exact_normalization", format("relative %.2e (bound 1e-4)", zn_err));
        }
        tsne_cuda_destroy(s);
    }
}

/** 30 full steps (gradient + gains + momentum) on both backends from the same start. */
void check_steps(int threads) {
    const int n = 4000, steps = 30;
    const Affinities p = clustered_affinities(n, threads);
    std::vector<double> y = spread_embedding(n, 1, 9);
    TsneCudaSession* s = open_session(p, y, TSNE_CUDA_EXACT_TILES, 0);
    if (s == nullptr) { failures++; return; }
    std::vector<double> update(y.size(), 0), gains(y.size(), 1), grad;
    tsne_cuda_reset_optimizer(s);
    double norm_cpu = 0;
    for (int i = 0; i < steps; i++) {
        tsne_cuda_step(s, 12, 0.5, 200, 0.01);
        cpu_gradient(p, CPU_EXACT, 0, y, 12, grad, threads);
        norm_cpu = tsne_update(static_cast<int64_t>(y.size()), y.data(), update.data(), gains.data(), grad.data(), 0.5,
                               200, 0.01, threads);
    }
    double scalars[3];
    std::vector<double> y_gpu(y.size());
    const int status = tsne_cuda_scalars(s, scalars) | tsne_cuda_embedding(s, y_gpu.data());
    const double err = relative_error(y_gpu, y), norm_err = std::fabs(scalars[1] - norm_cpu) / norm_cpu;
    report(status == 0 && err <= 1e-4 && norm_err <= 1e-3, "update_steps",
           format("n=4000 after %g steps: embedding relative error %.2e, gradient norm %.2e (bounds 1e-4, 1e-3)", steps,
                  err, norm_err));
    tsne_cuda_destroy(s);
}

void check_timing(int threads) {
    const int n = 70000;
    const auto t0 = std::chrono::steady_clock::now();
    const Affinities p = clustered_affinities(n, threads);
    info("setup", format("synthetic P for n=70000: %.0f nonzeros in %.1f s", static_cast<double>(p.vals.size()),
                         seconds_since(t0)));
    const std::vector<double> y0 = spread_embedding(n, 1e-4, 3);
    double kl_exact = 0;
    for (int repulsion : {TSNE_CUDA_EXACT_TILES, TSNE_CUDA_TREE, TSNE_CUDA_FFT}) {
        TsneCudaSession* s = open_session(p, y0, repulsion, 0.5);
        if (s == nullptr) { failures++; continue; }
        double kl = 0, device_ms = 0;
        const double seconds = run_schedule(s, n, 1000, &kl, &device_ms);
        tsne_cuda_destroy(s);
        if (repulsion == TSNE_CUDA_EXACT_TILES) {
            kl_exact = kl;
            report(seconds <= 3.0 && std::isfinite(kl), "timing_70k_exact_tiles",
                   format("1000 iterations in %.3f s (device %.3f s, %.2f ms/iteration), final KL %.4f (bound 3 s)",
                          seconds, device_ms / 1000, device_ms / 1000, kl));
        } else if (repulsion == TSNE_CUDA_TREE) {
            info("timing_70k_tree", format("1000 iterations in %.3f s (%.2f ms/iteration), final KL %.4f (exact tiles %.4f)",
                                           seconds, device_ms / 1000, kl, kl_exact));
        } else {
            // The same optimisation with interpolated forces must end near the exact one's KL.
            report(std::isfinite(kl) && std::fabs(kl - kl_exact) <= 0.05 * std::fabs(kl_exact), "timing_70k_fft",
                   format("1000 iterations in %.3f s (%.2f ms/iteration), final KL %.4f (exact tiles %.4f, bound 5%%)",
                          seconds, device_ms / 1000, kl, kl_exact));
        }
    }
    // The CPU Barnes-Hut baseline in this process, on every core of the machine.
    std::vector<double> y = spread_embedding(n, 5, 3), grad;
    cpu_gradient(p, CPU_BARNES_HUT, 0.5, y, 1, grad, threads);
    const auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; i++) cpu_gradient(p, CPU_BARNES_HUT, 0.5, y, 1, grad, threads);
    info("cpu_baseline", format("CPU Barnes-Hut gradient at n=70000 on %g threads: %.2f ms/iteration", threads,
                                seconds_since(t1) * 100));
}

void check_large(int threads) {
    const int n = 1000000;
    const Affinities p = clustered_affinities(n, threads);
    TsneCudaSession* s = open_session(p, spread_embedding(n, 1e-4, 5), TSNE_CUDA_AUTO, 0.5);
    if (s == nullptr) { failures++; return; }
    double kl = 0, device_ms = 0;
    const double seconds = run_schedule(s, n, 300, &kl, &device_ms);
    report(tsne_cuda_repulsion(s) == TSNE_CUDA_TREE && std::isfinite(kl), "tree_1M",
           format("n=1000000 (auto picks the tree): 300 iterations in %.2f s (%.1f ms/iteration), KL %.4f", seconds,
                  device_ms / 300, kl));
    tsne_cuda_destroy(s);
    TsneCudaSession* f = open_session(p, spread_embedding(n, 1e-4, 5), TSNE_CUDA_FFT, 0);
    if (f == nullptr) { failures++; return; }
    double kl_fft = 0;
    const double fft_seconds = run_schedule(f, n, 300, &kl_fft, &device_ms);
    report(std::isfinite(kl_fft) && std::fabs(kl_fft - kl) <= 0.05 * std::fabs(kl), "fft_1M",
           format("n=1000000 FFT: 300 iterations in %.2f s (%.1f ms/iteration), KL %.4f (tree %.4f, bound 5%%)",
                  fft_seconds, device_ms / 300, kl_fft, kl));
    tsne_cuda_destroy(f);
}

/** Host emulation of the device algorithms against the CPU backend (runs anywhere). */
void check_emulation(int threads) {
    const int n = 3000;
    const std::vector<double> y = spread_embedding(n, 3, 5);
    std::vector<double> rep_tiles(2 * n), rep_tree(2 * n), z_row(n);
    const double z_tiles = tsne_cuda_emulated_repulsion(TSNE_CUDA_EXACT_TILES, n, y.data(), 0, rep_tiles.data(),
                                                        z_row.data(), threads);
    const double z_tree = tsne_cuda_emulated_repulsion(TSNE_CUDA_TREE, n, y.data(), 0, rep_tree.data(), z_row.data(),
                                                       threads);
    const double z = tsne_exact_normalization(n, 2, 1.0, y.data(), threads);
    const double err = relative_error(rep_tiles, rep_tree);
    report(err <= 1e-4 && std::fabs(z_tiles - z) / z <= 1e-6 && std::fabs(z_tree - z) / z <= 1e-10, "host_emulation",
           format("exact tiles vs tree(theta 0) forces %.2e, Z %.2e / %.2e", err, std::fabs(z_tiles - z) / z,
                  std::fabs(z_tree - z) / z));
    // The FFT path's host emulation against the exact sum (interpolation error only; measured 5.8e-3, Z 1e-5).
    std::vector<double> rep_fft(2 * n);
    const double z_fft = tsne_cuda_emulated_fft_repulsion(n, y.data(), rep_fft.data(), z_row.data(), threads);
    const double fft_err = relative_error(rep_fft, rep_tiles);
    report(std::isfinite(z_fft) && fft_err <= 2e-2 && std::fabs(z_fft - z) / z <= 1e-4, "host_emulation_fft",
           std::isfinite(z_fft) ? format("forces %.2e, Z %.2e (bounds 2e-2, 1e-4)", fft_err, std::fabs(z_fft - z) / z)
                                : std::string("libfftw3f not loaded (set TORCHSIGHT_FFTW)"));
}

}  // namespace

int main(int argc, char** argv) {
    const bool cpu_only = argc > 1 && std::strcmp(argv[1], "--cpu-only") == 0;
    const int threads = omp_get_max_threads();
    if (const char* fftw = std::getenv("TORCHSIGHT_FFTW")) dlopen(fftw, RTLD_NOW | RTLD_GLOBAL);  // for the emulation
    check_emulation(threads);
    if (cpu_only) {
        std::printf("%s: %d failed\n", failures == 0 ? "OK" : "FAILED", failures);
        return failures == 0 ? 0 : 1;
    }
    char name[256] = "none";
    if (cuda_kernels_built() == 0 || cuda_device_count() == 0) {
        report(false, "gpu", "no CUDA kernels or no usable GPU");
        return 1;
    }
    cuda_device_name(0, name, sizeof name);
    info("gpu", name);
    check_forces(threads);
    check_steps(threads);
    check_timing(threads);
    check_large(threads);
    std::printf("%s: %d failed\n", failures == 0 ? "OK" : "FAILED", failures);
    return failures == 0 ? 0 : 1;
}
