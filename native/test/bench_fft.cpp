// FFT repulsion: accuracy against the exact double sum (n <= 20000) and ms/call, next to Barnes-Hut.
// Usage: bench_fft N THREADS SPREAD [DOF] [REPS]   (needs FFTW_LIB=path/to/libfftw3f.so.3)
#include "torchsight/tsne.h"
#include "torchsight/tsne_fft.h"
#include <dlfcn.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
#include <ctime>
static double cpu_ms() { timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
using namespace torchsight;
using clk = std::chrono::steady_clock;
static double ms(clk::time_point a, clk::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10000, threads = argc > 2 ? atoi(argv[2]) : 2;
    double spread = argc > 3 ? atof(argv[3]) : 50, dof = argc > 4 ? atof(argv[4]) : 1;
    int reps = argc > 5 ? atoi(argv[5]) : 10, P = argc > 6 ? atoi(argv[6]) : 3; double IPU = argc > 7 ? atof(argv[7]) : 1;
    const char* lib = getenv("FFTW_LIB");
    if (!lib || !dlopen(lib, RTLD_NOW | RTLD_GLOBAL)) { fprintf(stderr, "set FFTW_LIB\n"); return 1; }
    // Clusters like a final map: 10 blobs on a ring of radius 0.6 spread, each of width 0.12 spread.
    std::mt19937_64 rng(7);
    std::normal_distribution<double> g(0, 1);
    std::vector<double> y(2 * (size_t)n);
    for (int i = 0; i < n; i++) {
        double a = 2 * M_PI * (i % 10) / 10;
        y[2*i] = spread * (0.6 * cos(a) + 0.12 * g(rng)); y[2*i+1] = spread * (0.6 * sin(a) + 0.12 * g(rng));
    }
    std::vector<double> rep(2 * (size_t)n), z(n);
    double zf = tsne_repulsion_fft(2, dof, P, IPU, 50, n, y.data(), n, y.data(), 1, rep.data(), z.data(), threads);
    double c0 = cpu_ms(), best = 1e300;
    auto t0 = clk::now();
    for (int r = 0; r < reps; r++) {
        auto a = clk::now();
        zf = tsne_repulsion_fft(2, dof, P, IPU, 50, n, y.data(), n, y.data(), 1, rep.data(), z.data(), threads);
        best = std::min(best, ms(a, clk::now()));
    }
    auto t1 = clk::now();
    double c1 = cpu_ms();
    printf("n=%d threads=%d spread=%g dof=%g: fft %.2f ms/call (best %.2f, cpu %.2f ms/call)", n, threads, spread, dof,
           ms(t0, t1) / reps, best, (c1 - c0) / reps);
    if (dof == 1) {  // Barnes-Hut's repulsion inside the full gradient, with an empty P
        std::vector<int64_t> rp(n + 1, 0); std::vector<int32_t> cols(1); std::vector<double> vals(1), grad(2 * (size_t)n);
        tsne_gradient(TSNE_BARNES_HUT, 0.5, rp.data(), cols.data(), vals.data(), n, y.data(), 1, grad.data(), threads);
        auto b0 = clk::now();
        int br = reps < 3 ? 1 : reps / 3;
        double bbest = 1e300;
        for (int r = 0; r < br; r++) {
            auto a = clk::now();
            tsne_gradient(TSNE_BARNES_HUT, 0.5, rp.data(), cols.data(), vals.data(), n, y.data(), 1, grad.data(), threads);
            bbest = std::min(bbest, ms(a, clk::now()));
        }
        printf(", barnes-hut(0.5) %.2f ms/call (best %.2f)", ms(b0, clk::now()) / br, bbest);
    }
    if (n <= 20000) {
        std::vector<double> re(2 * (size_t)n, 0), ze(n, 0);
#pragma omp parallel for num_threads(threads)
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            if (i == j) continue;
            double dx = y[2*i]-y[2*j], dy = y[2*i+1]-y[2*j+1], b = 1 + (dx*dx+dy*dy)/dof, w = pow(b, -dof);
            re[2*i] += w / b * dx; re[2*i+1] += w / b * dy; ze[i] += w;
        }
        double num = 0, den = 0, zt = 0, zmax = 0;
        for (size_t c = 0; c < re.size(); c++) { num += (rep[c]-re[c])*(rep[c]-re[c]); den += re[c]*re[c]; }
        for (int i = 0; i < n; i++) { zt += ze[i]; zmax = std::max(zmax, fabs(z[i]-ze[i]) / ze[i]); }
        printf(", force rel err %.2e, Z rel err %.2e, max row z rel err %.2e", sqrt(num / den), fabs(zf - zt) / zt, zmax);
    }
    printf("\n");
}
