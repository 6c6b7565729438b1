// FFT-accelerated repulsion on the CPU (see fft_kernels.h for the scheme). One call: bounds, a stable
// counting sort of the sources by box, charges per box, the charges' 2-D FFT, products with the kernel
// spectra (cached while the grid stays the same), three inverse 2-D FFTs, potentials per target.
// Measured on 2 cores (1 thread, CPU time): 60,000 points over +-50 about 8 ms, 1,000,000 over +-125
// about 100 ms; the point stages (sort, gather) dominate at 1M, the FFTs at 60k.
//
// The 2N x 2N transforms are done as 1-D transforms of rows, then of columns (gathered into a per-thread
// buffer), which skips the zero half of the padded charges and of the unneeded outputs and spreads every
// stage over the threads. Every row and column goes through the same single-transform plan, so the
// result does not depend on how rows are shared among threads.
//
// FFTW use: plans are made with FFTW_ESTIMATE (a deterministic choice of algorithm) under a mutex, cached
// by size, and run with the new-array execute functions, which are thread-safe, on buffers from
// fftwf_malloc with row strides that keep every row as aligned as the planning arrays. FFTW's global
// state (planner threads, wisdom) is never changed.
#include "fftw_loader.h"
#include "torchsight/fft_kernels.h"
#include "torchsight/tsne_cuda.h"
#include "torchsight/tsne_fft.h"
#include "repulsion_fft_internal.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace torchsight {

namespace {

/** Rounds a float count up to whole 64-byte lines, so that every row starts as aligned as the first. */
size_t padded(size_t floats) { return (floats + 15) / 16 * 16; }

/** Columns gathered or scattered together: a block of 8 complex values is one 64-byte line of a row. */
constexpr int kBlock = 8;

/** 1-D plans for transforms of length 2N. */
struct Plans {
    fftw::Plan r2c;       // a real row -> N+1 complex, out of place
    fftw::Plan c2r;       // N+1 complex -> a real row, out of place
    fftw::Plan forward;   // complex, in place
    fftw::Plan backward;  // complex, in place
};

/** fftwf_malloc'd floats (SIMD-aligned, as the plans expect), zero-filled, freed with fftwf_free. */
class FloatBuffer {
public:
    FloatBuffer() = default;
    FloatBuffer(const FloatBuffer&) = delete;
    FloatBuffer& operator=(const FloatBuffer&) = delete;
    ~FloatBuffer() { release(); }

    bool reset(const fftw::Api* api, size_t count) {
        release();
        api_ = api;
        data_ = static_cast<float*>(api->malloc(std::max<size_t>(count, 16) * sizeof(float)));
        if (data_ != nullptr) std::memset(data_, 0, count * sizeof(float));
        return data_ != nullptr;
    }
    float* get() const { return data_; }

private:
    void release() {
        if (data_ != nullptr) api_->free(data_);
        data_ = nullptr;
    }
    const fftw::Api* api_ = nullptr;
    float* data_ = nullptr;
};

/**
 * Points sorted by box: coordinates and original indices in box order (xy, order), each point's slot
 * (rank, the inverse of order) and each box's first slot (start).
 */
struct SortedPoints {
    std::vector<int> box, start, counts, order, rank;
    std::vector<double> xy;
};

/** Buffers of one call for N nodes per axis (m = 2N), reused by later calls with the same N. */
struct Workspace {
    int n = -1;
    size_t ld_real = 0;     // floats per row of a real 2N-row: padded(2N)
    size_t ld_half = 0;     // floats per row of N+1 complex: padded(2(N+1))
    size_t ld_full = 0;     // floats per row of 2N complex: padded(4N)
    FloatBuffer charges;    // N x ld_real; columns N.. stay zero (written once)
    FloatBuffer rows;       // (N+1) x ld_half: row transforms of the charges (or a kernel)
    FloatBuffer spectrum;   // (N+1) x ld_full: the charges' 2-D spectrum, one row per x frequency
    FloatBuffer half[3];    // N x ld_half: each potential after its column transforms
    FloatBuffer phi[3];     // N x ld_real: the potentials phi_1, phi_x, phi_y on the nodes
    FloatBuffer kernel[3];  // (N+1) x (ld_full / 2): real spectra e, sx, sy (one row per x frequency)
    std::vector<std::unique_ptr<FloatBuffer>> scratch;  // one complex 2N-row per thread
    // The grid the kernel spectra were computed for.
    double kernel_width = 0, kernel_dof = 0;
    int kernel_p = 0;
    SortedPoints sources, targets;
    std::vector<double> potentials;  // {phi_1, phi_x, phi_y} per target, in box order

    bool prepare(const fftw::Api* api, int nodes, int threads) {
        if (n != nodes) {
            n = -1;
            kernel_p = 0;
            const size_t m = 2 * static_cast<size_t>(nodes), h = nodes + 1;
            ld_real = padded(m);
            ld_half = padded(2 * h);
            ld_full = padded(2 * m);
            bool ok = charges.reset(api, nodes * ld_real) && rows.reset(api, h * ld_half) &&
                      spectrum.reset(api, h * ld_full);
            for (int f = 0; f < 3 && ok; f++) {
                ok = half[f].reset(api, nodes * ld_half) && phi[f].reset(api, nodes * ld_real) &&
                     kernel[f].reset(api, h * ld_full / 2);
            }
            scratch.clear();
            if (!ok) return false;
            n = nodes;
        }
        while (static_cast<int>(scratch.size()) < threads) {
            scratch.push_back(std::make_unique<FloatBuffer>());
            if (!scratch.back()->reset(api, 2 * kBlock * ld_full)) {
                scratch.pop_back();
                return false;
            }
        }
        return true;
    }
};

std::mutex pool_mutex;
std::vector<std::unique_ptr<Workspace>> pool;  // idle workspaces; a call holds one exclusively

std::unique_ptr<Workspace> acquire(int nodes) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    for (size_t k = 0; k < pool.size(); k++) {
        if (pool[k]->n == nodes) {
            std::unique_ptr<Workspace> w = std::move(pool[k]);
            pool.erase(pool.begin() + static_cast<long>(k));
            return w;
        }
    }
    if (!pool.empty()) {
        std::unique_ptr<Workspace> w = std::move(pool.back());
        pool.pop_back();
        return w;
    }
    return std::make_unique<Workspace>();
}

void give_back(std::unique_ptr<Workspace> w) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    if (pool.size() < 4) pool.push_back(std::move(w));
}

std::mutex plan_mutex;
std::map<int, Plans> plan_cache;  // for the life of the process: one entry per grid size used

/** The plans for N, made on w's buffers (every later buffer and row has the same alignment). */
bool plans_for(const fftw::Api* api, int nodes, Workspace& w, Plans* out) {
    std::lock_guard<std::mutex> lock(plan_mutex);
    auto it = plan_cache.find(nodes);
    if (it != plan_cache.end()) {
        *out = it->second;
        return true;
    }
    const int m = 2 * nodes;
    float* buf = w.scratch[0]->get();
    Plans p{};
    p.r2c = api->plan_dft_r2c_1d(m, w.charges.get(), w.rows.get(), fftw::kEstimate);
    p.c2r = api->plan_dft_c2r_1d(m, w.half[0].get(), w.phi[0].get(), fftw::kEstimate);
    p.forward = api->plan_dft_1d(m, buf, buf, fftw::kForward, fftw::kEstimate);
    p.backward = api->plan_dft_1d(m, buf, buf, fftw::kBackward, fftw::kEstimate);
    if (!p.r2c || !p.c2r || !p.forward || !p.backward) {
        for (fftw::Plan q : {p.r2c, p.c2r, p.forward, p.backward}) {
            if (q) api->destroy_plan(q);
        }
        return false;
    }
    plan_cache.emplace(nodes, p);
    *out = p;
    return true;
}

/** {min x, max x, min y, max y} of n points, in per-thread chunks (min and max are exact in any order). */
void point_bounds(int n, const double* xy, int threads, double b[4]) {
    b[0] = b[1] = xy[0];
    b[2] = b[3] = xy[1];
#pragma omp parallel num_threads(threads)
    {
        double l[4] = {xy[0], xy[0], xy[1], xy[1]};
#pragma omp for schedule(static) nowait
        for (int i = 0; i < n; i++) {
            const double x = xy[2 * i], y = xy[2 * i + 1];
            l[0] = x < l[0] ? x : l[0];
            l[1] = x > l[1] ? x : l[1];
            l[2] = y < l[2] ? y : l[2];
            l[3] = y > l[3] ? y : l[3];
        }
#pragma omp critical
        {
            b[0] = std::min(b[0], l[0]);
            b[1] = std::max(b[1], l[1]);
            b[2] = std::min(b[2], l[2]);
            b[3] = std::max(b[3], l[3]);
        }
    }
}

/**
 * Stable counting sort of the sources by box into w.sorted, with w.start[b] the first slot of box b: per
 * thread histograms over fixed chunks, offsets in (box, chunk) order, so the order is index order within
 * each box whatever the thread count.
 */
void sort_by_box(const fft::Layout& g, int n, const double* xy, SortedPoints& w, int threads) {
    const int boxes = g.boxes * g.boxes;
    w.box.resize(n);
    w.xy.resize(2 * static_cast<size_t>(n));
    w.order.resize(n);
    w.rank.resize(n);
    w.start.assign(boxes + 1, 0);
    w.counts.assign(static_cast<size_t>(threads) * boxes, 0);
    const int chunk = (n + threads - 1) / threads;
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num(), lo = std::min(n, t * chunk), hi = std::min(n, lo + chunk);
        int* count = &w.counts[static_cast<size_t>(t) * boxes];
        for (int i = lo; i < hi; i++) {
            const int b = fft::box_of(xy[2 * i], xy[2 * i + 1], g);
            w.box[i] = b;
            count[b]++;
        }
#pragma omp barrier
#pragma omp single
        {
            int offset = 0;
            for (int b = 0; b < boxes; b++) {
                w.start[b] = offset;
                for (int s = 0; s < threads; s++) {
                    int& c = w.counts[static_cast<size_t>(s) * boxes + b];
                    const int here = c;
                    c = offset;
                    offset += here;
                }
            }
            w.start[boxes] = offset;
        }
        for (int i = lo; i < hi; i++) {
            const int r = count[w.box[i]]++;
            w.order[r] = i;
            w.rank[i] = r;
        }
#pragma omp barrier
        // Coordinates by reading in sorted order: random reads overlap better than random writes.
#pragma omp for schedule(static)
        for (int r = 0; r < n; r++) {
            const int i = w.order[r];
            w.xy[2 * static_cast<size_t>(r)] = xy[2 * i];
            w.xy[2 * static_cast<size_t>(r) + 1] = xy[2 * i + 1];
        }
    }
}

/**
 * Forward 2-D FFT of a real 2N x 2N grid whose rows 0..rows-1 are stored in `grid` (ld_real floats apart)
 * and whose other rows are zero (rows = N) or mirror rows 2N - r (rows = N + 1: an even kernel). Writes
 * spectrum row kx (kx in [0, N]) = the 2N column frequencies of x frequency kx. (The charges take the
 * fused path in potentials().)
 */
void forward_2d(const fftw::Api* api, const Plans& plans, Workspace& w, const float* grid, int rows,
                float* spectrum, int threads) {
    const int n = w.n, m = 2 * n, blocks = (n + kBlock) / kBlock;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static)
        for (int r = 0; r < rows; r++) {
            api->execute_dft_r2c(plans.r2c, const_cast<float*>(grid) + r * w.ld_real, w.rows.get() + r * w.ld_half);
        }
        float* buf = w.scratch[omp_get_thread_num()]->get();
#pragma omp for schedule(static)
        for (int block = 0; block < blocks; block++) {
            const int kx0 = block * kBlock, count = std::min(kBlock, n + 1 - kx0);
            for (int r = 0; r < rows; r++) {
                const float* src = w.rows.get() + r * w.ld_half + 2 * kx0;
                for (int j = 0; j < count; j++) {
                    buf[j * w.ld_full + 2 * r] = src[2 * j];
                    buf[j * w.ld_full + 2 * r + 1] = src[2 * j + 1];
                }
            }
            for (int j = 0; j < count; j++) {
                float* col = buf + j * w.ld_full;
                if (rows == n) {
                    std::fill(col + 2 * n, col + 2 * m, 0.0f);
                } else {
                    for (int r = n + 1; r < m; r++) {
                        col[2 * r] = col[2 * (m - r)];
                        col[2 * r + 1] = col[2 * (m - r) + 1];
                    }
                }
                api->execute_dft(plans.forward, col, col);
                std::memcpy(spectrum + (kx0 + j) * w.ld_full, col, 2 * m * sizeof(float));
            }
        }
    }
}

/**
 * The three real kernel spectra for the layout's node spacing: K1's (e) and K_x's (sx) from forward 2-D
 * FFTs of their circulants, K_y's (sy) from K_x's with the frequencies swapped:
 * sy(ky, kx) = sx(kx, ky) for ky <= N, and -sx(kx, 2N - ky) above (K_x is odd along x).
 */
bool kernel_spectra(const fftw::Api* api, const Plans& plans, const fft::Layout& g, double dof, Workspace& w,
                    int threads) {
    const int n = w.n, m = 2 * n;
    const double h = g.width / g.p, scale = 1.0 / (static_cast<double>(m) * m);
    FloatBuffer k1, kx;
    const size_t len = static_cast<size_t>(n + 1) * w.ld_real;
    if (!k1.reset(api, len) || !kx.reset(api, len)) return false;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int r = 0; r <= n; r++) {
        for (int c = 0; c < m; c++) {
            fft::circulant_values(r, c, n, h, dof, scale, &k1.get()[r * w.ld_real + c], &kx.get()[r * w.ld_real + c]);
        }
    }
    const size_t ldk = w.ld_full / 2;
    float *e = w.kernel[0].get(), *sx = w.kernel[1].get(), *sy = w.kernel[2].get();
    // The spectrum buffer is free until the charges are transformed: stage each kernel's there.
    forward_2d(api, plans, w, k1.get(), n + 1, w.spectrum.get(), threads);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int f = 0; f <= n; f++) {
        for (int k = 0; k < m; k++) e[f * ldk + k] = w.spectrum.get()[f * w.ld_full + 2 * k];
    }
    forward_2d(api, plans, w, kx.get(), n + 1, w.spectrum.get(), threads);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int f = 0; f <= n; f++) {
        for (int k = 0; k < m; k++) sx[f * ldk + k] = -w.spectrum.get()[f * w.ld_full + 2 * k + 1];
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int f = 0; f <= n; f++) {
        for (int k = 0; k < m; k++) sy[f * ldk + k] = k <= n ? sx[k * ldk + f] : -sx[(m - k) * ldk + f];
    }
    return true;
}

/**
 * Charges to potentials in one parallel region with three barriers: (1) per box row, its charges and
 * the row FFTs of its P node rows; (2) per block of x frequencies, the column FFTs, the products with
 * the three kernel spectra and their inverse column FFTs, kept transposed; (3) the inverse row FFTs into
 * w.phi. Rows 1 own disjoint nodes and blocks 2 disjoint columns, so the sums do not depend on the thread
 * count, and with few barriers the threads rarely wait on each other.
 */
template <int P>
void potentials(const fftw::Api* api, const Plans& plans, const fft::Layout& g, Workspace& w, int threads) {
    const int n = w.n, m = 2 * n, blocks = (n + kBlock) / kBlock;
    const size_t ldk = w.ld_full / 2;
    const SortedPoints& s = w.sources;
    float* charges = w.charges.get();
    const int64_t ld_real = static_cast<int64_t>(w.ld_real);
#pragma omp parallel num_threads(threads)
    {
        float* buf = w.scratch[omp_get_thread_num()]->get();
#pragma omp for schedule(dynamic, 1)
        for (int by = 0; by < g.boxes; by++) {
            for (int b = by * g.boxes; b < (by + 1) * g.boxes; b++) {
                fft::spread_box<P>(g, b, s.start[b], s.start[b + 1], s.xy.data(), charges, ld_real);
            }
            for (int r = by * P; r < (by + 1) * P; r++) {
                api->execute_dft_r2c(plans.r2c, charges + r * w.ld_real, w.rows.get() + r * w.ld_half);
            }
        }
#pragma omp for schedule(static)
        for (int block = 0; block < blocks; block++) {
            const int kx0 = block * kBlock, count = std::min(kBlock, n + 1 - kx0);
            float* spec = buf + kBlock * w.ld_full;  // the block's charge spectra; buf holds one product at a time
            for (int r = 0; r < n; r++) {
                const float* src = w.rows.get() + r * w.ld_half + 2 * kx0;
                for (int j = 0; j < count; j++) {
                    spec[j * w.ld_full + 2 * r] = src[2 * j];
                    spec[j * w.ld_full + 2 * r + 1] = src[2 * j + 1];
                }
            }
            for (int j = 0; j < count; j++) {
                float* col = spec + j * w.ld_full;
                std::fill(col + 2 * n, col + 2 * m, 0.0f);
                api->execute_dft(plans.forward, col, col);
            }
            for (int f = 0; f < 3; f++) {
                for (int j = 0; j < count; j++) {
                    const float* q = spec + j * w.ld_full;
                    const float* k = w.kernel[f].get() + (kx0 + j) * ldk;
                    float* col = buf + j * w.ld_full;
                    for (int ky = 0; ky < m; ky++) fft::multiply_spectrum(f, q[2 * ky], q[2 * ky + 1], k[ky], &col[2 * ky]);
                    api->execute_dft(plans.backward, col, col);
                }
                for (int y = 0; y < n; y++) {
                    float* dst = w.half[f].get() + y * w.ld_half + 2 * kx0;
                    for (int j = 0; j < count; j++) {
                        dst[2 * j] = buf[j * w.ld_full + 2 * y];
                        dst[2 * j + 1] = buf[j * w.ld_full + 2 * y + 1];
                    }
                }
            }
        }
#pragma omp for schedule(static)
        for (int job = 0; job < 3 * n; job++) {
            const int f = job / n, y = job % n;
            api->execute_dft_c2r(plans.c2r, w.half[f].get() + y * w.ld_half, w.phi[f].get() + y * w.ld_real);
        }
    }
}

double fail() { return std::numeric_limits<double>::quiet_NaN(); }

}  // namespace

namespace internal {

double fft_repulsion_2d(double dof, int p, double intervals_per_unit, int min_intervals, int n_src, const double* src,
                        int n_tgt, const double* tgt, int same_set, double* rep, double* z_row, int threads) {
    const fftw::Api* api = fftw::api();
    if (api == nullptr || !(dof > 0) || p < 2 || p > fft::kMaxNodes || !(intervals_per_unit > 0) || n_src < 0 ||
        n_tgt < 0) {
        return fail();
    }
    threads = std::max(1, threads);
    if (n_tgt == 0) return 0;
    if (n_src == 0) {
        std::fill(rep, rep + 2 * static_cast<size_t>(n_tgt), 0.0);
        std::fill(z_row, z_row + n_tgt, 0.0);
        return 0;
    }
    double bounds[4];
    point_bounds(n_src, src, threads, bounds);
    if (!same_set) {
        double b[4];
        point_bounds(n_tgt, tgt, threads, b);
        bounds[0] = std::min(bounds[0], b[0]);
        bounds[1] = std::max(bounds[1], b[1]);
        bounds[2] = std::min(bounds[2], b[2]);
        bounds[3] = std::max(bounds[3], b[3]);
    }
    const fft::Layout g = fft::make_layout(bounds, p, intervals_per_unit, min_intervals);

    std::unique_ptr<Workspace> w = acquire(g.n);
    Plans plans;
    if (!w->prepare(api, g.n, threads) || !plans_for(api, g.n, *w, &plans)) return fail();
    if (w->kernel_p != p || w->kernel_width != g.width || w->kernel_dof != dof) {
        if (!kernel_spectra(api, plans, g, dof, *w, threads)) return fail();
        w->kernel_p = p;
        w->kernel_width = g.width;
        w->kernel_dof = dof;
    }

    sort_by_box(g, n_src, src, w->sources, threads);
    if (!same_set) sort_by_box(g, n_tgt, tgt, w->targets, threads);
    const SortedPoints& targets = same_set ? w->sources : w->targets;
    const int64_t ld_real = static_cast<int64_t>(w->ld_real);
    fft::with_nodes(p, [&](auto nodes) { potentials<decltype(nodes)::value>(api, plans, g, *w, threads); });

    // Targets in box order, so that neighbouring reads share cache lines of the potentials; then each
    // target picks its values up by rank (random reads overlap far better than random writes). With
    // same_set, each point's own charge is taken out as the interpolation carried it (not as the exact
    // K1(0) = 1), which cancels the interpolation error of the largest term: Z's error drops ~50-fold.
    const float *phi1 = w->phi[0].get(), *phix = w->phi[1].get(), *phiy = w->phi[2].get();
    w->potentials.resize(3 * static_cast<size_t>(n_tgt));
    double* values = w->potentials.data();
    fft::with_nodes(p, [&](auto nodes) {
        constexpr int P = decltype(nodes)::value;
        double table[fft::kSelfEntries<P>];
        fft::self_table<P>(g.width / P, dof, table);
        const double* own = same_set ? table : nullptr;
#pragma omp parallel num_threads(threads)
        {
#pragma omp for schedule(static)
            for (int r = 0; r < n_tgt; r++) {
                fft::gather_point<P>(g, targets.xy[2 * r], targets.xy[2 * r + 1], phi1, phix, phiy, ld_real, own,
                                     &values[3 * static_cast<size_t>(r)]);
            }
#pragma omp for schedule(static)
            for (int t = 0; t < n_tgt; t++) {
                const double* v = &values[3 * static_cast<size_t>(targets.rank[t])];
                z_row[t] = v[0];
                rep[2 * t] = v[1];
                rep[2 * t + 1] = v[2];
            }
        }
    });
    give_back(std::move(w));
    double total = 0;  // in index order: the same for any thread count
    for (int t = 0; t < n_tgt; t++) total += z_row[t];
    return total;
}

}  // namespace internal

int tsne_fft_available() { return fftw::api() != nullptr ? 1 : 0; }

void tsne_fft_release_workspaces() {
    std::vector<std::unique_ptr<Workspace>> idle;
    {
        std::lock_guard<std::mutex> lock(pool_mutex);
        idle.swap(pool);
    }
}

double tsne_repulsion_fft(int dims, double dof, int interpolation_points, double intervals_per_unit, int min_intervals,
                          int n_src, const double* src, int n_tgt, const double* tgt, int same_set, double* rep,
                          double* z_row, int threads) {
    if (dims != 2) return fail();
    return internal::fft_repulsion_2d(dof, interpolation_points, intervals_per_unit, min_intervals, n_src, src, n_tgt,
                                      tgt, same_set, rep, z_row, threads);
}

double tsne_cuda_emulated_fft_repulsion(int n, const double* y, double* rep, double* z_row, int threads) {
    // The CPU path runs the device's per-point functions on the same layout and the same point order.
    return internal::fft_repulsion_2d(1.0, fft::kDefaultNodes, fft::kDefaultIntervalsPerUnit,
                                      fft::kDefaultMinIntervals, n, y, n, y, 1, rep, z_row, threads);
}

}  // namespace torchsight
