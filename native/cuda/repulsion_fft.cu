// FFT-interpolated repulsion on the GPU (see fft_kernels.h for the scheme and repulsion_fft_cuda.h for
// the interface). Each kernel is a thin wrapper around a function of fft_kernels.h, the functions the CPU
// implementation and the host emulation run: box ids, a stable radix sort by box (the order of the CPU's
// counting sort), charges with one thread per box (no atomics: the run is reproducible), the kernels'
// circulants, spectrum products and potentials per point. The transforms are cuFFT 2-D single-precision
// FFTs of the padded 2N x 2N grid.
//
// cuFFT is resolved at run time, like FFTW on the CPU: the CUDA toolkit this is built with need not ship
// cuFFT, and a process that already holds libcufft (the JavaCPP cuda preset's, loaded with libtorch_cuda)
// uses that copy. Only the handful of C functions below is used (cufft.h's documented API).
#include "repulsion_fft_cuda.h"
#include "torchsight/fft_kernels.h"

#include <cub/cub.cuh>
#include <dlfcn.h>

#include <algorithm>
#include <mutex>

namespace torchsight {
namespace cuda_fft {

namespace {

// ----------------------------------------------------------------------------------------------------
// cuFFT, resolved at run time

using Handle = int;             // cufftHandle
constexpr int kR2C = 0x2a;      // CUFFT_R2C
constexpr int kC2R = 0x2c;      // CUFFT_C2R
constexpr int kSuccess = 0;     // CUFFT_SUCCESS

struct CufftApi {
    int (*plan2d)(Handle*, int, int, int);
    int (*set_stream)(Handle, cudaStream_t);
    int (*exec_r2c)(Handle, float*, float2*);
    int (*exec_c2r)(Handle, float2*, float*);
    int (*destroy)(Handle);
};

std::mutex api_mutex;
CufftApi api_table{};
bool api_ready = false;

/** The cuFFT entry points, or null with the reason in *error. */
const CufftApi* cufft(std::string* error) {
    std::lock_guard<std::mutex> lock(api_mutex);
    if (api_ready) return &api_table;
    const char* names[] = {"libcufft.so.12", "libcufft.so.11", "libcufft.so"};
    void* lib = nullptr;
    for (int pass = 0; pass < 2 && lib == nullptr; pass++) {
        for (const char* name : names) {
            // First a copy the process already holds, then the dynamic linker's search path.
            lib = dlopen(name, pass == 0 ? (RTLD_LAZY | RTLD_NOLOAD) : (RTLD_NOW | RTLD_LOCAL));
            if (lib != nullptr) break;
        }
    }
    if (lib == nullptr) {
        *error = "the FFT repulsion needs cuFFT (libcufft.so.12 or .11), which is neither loaded nor found";
        return nullptr;
    }
    CufftApi a{};
    a.plan2d = reinterpret_cast<int (*)(Handle*, int, int, int)>(dlsym(lib, "cufftPlan2d"));
    a.set_stream = reinterpret_cast<int (*)(Handle, cudaStream_t)>(dlsym(lib, "cufftSetStream"));
    a.exec_r2c = reinterpret_cast<int (*)(Handle, float*, float2*)>(dlsym(lib, "cufftExecR2C"));
    a.exec_c2r = reinterpret_cast<int (*)(Handle, float2*, float*)>(dlsym(lib, "cufftExecC2R"));
    a.destroy = reinterpret_cast<int (*)(Handle)>(dlsym(lib, "cufftDestroy"));
    if (!a.plan2d || !a.set_stream || !a.exec_r2c || !a.exec_c2r || !a.destroy) {
        *error = "libcufft lacks a cuFFT function the FFT repulsion uses";
        return nullptr;
    }
    api_table = a;
    api_ready = true;
    return &api_table;
}

// ----------------------------------------------------------------------------------------------------
// Kernels

constexpr int kBlock = 256;

int blocks_for(int64_t count) { return static_cast<int>((count + kBlock - 1) / kBlock); }

/** {min x, max x, min y, max y} in one block (min and max are exact: any order gives the same). */
__global__ void bounds_kernel(const double* y, int n, double* bounds) {
    __shared__ double part[4][kBlock];
    double a = y[0], b = y[0], c = y[1], d = y[1];
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        a = fmin(a, y[2 * i]);
        b = fmax(b, y[2 * i]);
        c = fmin(c, y[2 * i + 1]);
        d = fmax(d, y[2 * i + 1]);
    }
    part[0][threadIdx.x] = a;
    part[1][threadIdx.x] = b;
    part[2][threadIdx.x] = c;
    part[3][threadIdx.x] = d;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) {
            part[0][threadIdx.x] = fmin(part[0][threadIdx.x], part[0][threadIdx.x + stride]);
            part[1][threadIdx.x] = fmax(part[1][threadIdx.x], part[1][threadIdx.x + stride]);
            part[2][threadIdx.x] = fmin(part[2][threadIdx.x], part[2][threadIdx.x + stride]);
            part[3][threadIdx.x] = fmax(part[3][threadIdx.x], part[3][threadIdx.x + stride]);
        }
        __syncthreads();
    }
    if (threadIdx.x < 4) bounds[threadIdx.x] = part[threadIdx.x][0];
}

__global__ void box_kernel(const double* y, int n, fft::Layout g, int* box, int* index) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    box[i] = fft::box_of(y[2 * i], y[2 * i + 1], g);
    index[i] = i;
}

__global__ void sorted_points_kernel(const double* y, const int* order, int n, double* sorted_xy) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    sorted_xy[2 * r] = y[2 * order[r]];
    sorted_xy[2 * r + 1] = y[2 * order[r] + 1];
}

/** start[b] = first sorted slot of box b (boxes + 1 entries; empty boxes get their successor's start). */
__global__ void starts_kernel(const int* sorted_box, int n, int boxes, int* start) {
    const int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b > boxes) return;
    int lo = 0, hi = n;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (sorted_box[mid] < b) lo = mid + 1; else hi = mid;
    }
    start[b] = lo;
}

template <int P>
__global__ void spread_kernel(fft::Layout g, const int* start, const double* sorted_xy, float* charges, int64_t stride) {
    const int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b < g.boxes * g.boxes) fft::spread_box<P>(g, b, start[b], start[b + 1], sorted_xy, charges, stride);
}

/** The full 2N x 2N circulants of K1 and K_x (rows past N mirror rows 2N - r: both are even in y). */
__global__ void circulant_kernel(int n, double h, double dof, double scale, float* k1, float* kx) {
    const int64_t m = 2 * n, idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (idx >= m * m) return;
    const int r = static_cast<int>(idx / m), c = static_cast<int>(idx % m);
    fft::circulant_values(r <= n ? r : static_cast<int>(m) - r, c, n, h, dof, scale, &k1[idx], &kx[idx]);
}

/** Real spectra in cuFFT's r2c layout [ky][kx <= N]: e = Re FFT(K1), sx = -Im FFT(K_x). */
__global__ void extract_kernel(int64_t count, const float2* k1_hat, const float2* kx_hat, float* e, float* sx) {
    const int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (idx >= count) return;
    e[idx] = k1_hat[idx].x;
    sx[idx] = -kx_hat[idx].y;
}

/** K_y's spectrum from K_x's with the frequencies swapped: sy(ky, kx) = sx(kx, ky), odd past N. */
__global__ void swap_kernel(int n, const float* sx, float* sy) {
    const int64_t h = n + 1, m = 2 * n, idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (idx >= m * h) return;
    const int ky = static_cast<int>(idx / h), kx = static_cast<int>(idx % h);
    sy[idx] = ky <= n ? sx[kx * h + ky] : -sx[kx * h + (m - ky)];
}

__global__ void multiply_kernel(int64_t count, const float2* q, const float* e, const float* sx, const float* sy,
                                float2* p1, float2* px, float2* py) {
    const int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (idx >= count) return;
    const float2 v = q[idx];
    fft::multiply_spectrum(0, v.x, v.y, e[idx], &p1[idx].x);
    fft::multiply_spectrum(1, v.x, v.y, sx[idx], &px[idx].x);
    fft::multiply_spectrum(2, v.x, v.y, sy[idx], &py[idx].x);
}

/** Node-to-node kernel values of one box (fft::self_table), passed by value. */
template <int P>
struct SelfTable {
    double v[fft::kSelfEntries<P>];
};

template <int P>
__global__ void gather_kernel(fft::Layout g, const double* sorted_xy, const int* order, int n, const float* phi1,
                              const float* phix, const float* phiy, int64_t stride, SelfTable<P> self, double* rep,
                              double* z_row) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    double phi[3];
    fft::gather_point<P>(g, sorted_xy[2 * r], sorted_xy[2 * r + 1], phi1, phix, phiy, stride, self.v, phi);
    const int i = order[r];
    z_row[i] = phi[0];
    rep[2 * i] = phi[1];
    rep[2 * i + 1] = phi[2];
}

}  // namespace

// ----------------------------------------------------------------------------------------------------
// State

struct State {
    const CufftApi* api = nullptr;
    cudaStream_t stream = nullptr;
    int points = 0;
    double* bounds = nullptr;
    double* host_bounds = nullptr;  // pinned
    int *box = nullptr, *index = nullptr, *sorted_box = nullptr, *order = nullptr;
    double* sorted_xy = nullptr;
    void* cub_temp = nullptr;
    size_t cub_bytes = 0;
    // Sized for `nodes` per axis (m = 2 nodes): charges and potentials m x m real, spectra m x (nodes+1).
    int nodes = 0;
    Handle r2c = 0, c2r = 0;
    bool planned = false;
    float* charges = nullptr;
    float2* spectrum = nullptr;
    float2* product[3] = {nullptr, nullptr, nullptr};
    float* phi[3] = {nullptr, nullptr, nullptr};
    float* kernel[3] = {nullptr, nullptr, nullptr};
    int* start = nullptr;
    double kernel_width = 0;  // the interval width the kernel spectra were made for (0: none yet)
};

namespace {

bool ok(cudaError_t status, const char* what, std::string* error) {
    if (status == cudaSuccess) return true;
    *error = std::string(what) + ": " + cudaGetErrorString(status);
    return false;
}

bool ok_fft(int status, const char* what, std::string* error) {
    if (status == kSuccess) return true;
    *error = std::string(what) + " failed (cuFFT status " + std::to_string(status) + ")";
    return false;
}

void free_grid(State* s) {
    void* buffers[] = {s->charges, s->spectrum, s->product[0], s->product[1], s->product[2], s->phi[0], s->phi[1],
                       s->phi[2], s->kernel[0], s->kernel[1], s->kernel[2], s->start};
    for (void* p : buffers) {
        if (p != nullptr) cudaFree(p);
    }
    s->charges = nullptr;
    s->spectrum = nullptr;
    s->start = nullptr;
    for (int f = 0; f < 3; f++) s->product[f] = nullptr, s->phi[f] = nullptr, s->kernel[f] = nullptr;
    if (s->planned) {
        s->api->destroy(s->r2c);
        s->api->destroy(s->c2r);
        s->planned = false;
    }
    s->nodes = 0;
    s->kernel_width = 0;
}

/** Buffers and plans for a grid of `nodes` per axis; the charges' padding is zeroed once here. */
bool prepare_grid(State* s, const fft::Layout& g, std::string* error) {
    if (s->nodes == g.n) return true;
    free_grid(s);
    const int64_t m = 2 * static_cast<int64_t>(g.n), half = m * (g.n + 1);
    bool good = ok(cudaMalloc(&s->charges, m * m * sizeof(float)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->spectrum, half * sizeof(float2)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->start, (static_cast<int64_t>(g.boxes) * g.boxes + 1) * sizeof(int)), "cudaMalloc",
                   error);
    for (int f = 0; f < 3 && good; f++) {
        good = ok(cudaMalloc(&s->product[f], half * sizeof(float2)), "cudaMalloc", error) &&
               ok(cudaMalloc(&s->phi[f], m * m * sizeof(float)), "cudaMalloc", error) &&
               ok(cudaMalloc(&s->kernel[f], half * sizeof(float)), "cudaMalloc", error);
    }
    good = good && ok(cudaMemsetAsync(s->charges, 0, m * m * sizeof(float), s->stream), "cudaMemset", error);
    if (good) {
        good = ok_fft(s->api->plan2d(&s->r2c, static_cast<int>(m), static_cast<int>(m), kR2C), "cufftPlan2d", error);
        if (good && !ok_fft(s->api->plan2d(&s->c2r, static_cast<int>(m), static_cast<int>(m), kC2R), "cufftPlan2d",
                            error)) {
            s->api->destroy(s->r2c);
            good = false;
        }
        s->planned = good;
        good = good && ok_fft(s->api->set_stream(s->r2c, s->stream), "cufftSetStream", error) &&
               ok_fft(s->api->set_stream(s->c2r, s->stream), "cufftSetStream", error);
    }
    if (!good) {
        free_grid(s);
        return false;
    }
    s->nodes = g.n;
    return true;
}

/** The three real kernel spectra for the layout's spacing (dof 1), staged through the potential buffers. */
bool kernel_spectra(State* s, const fft::Layout& g, std::string* error) {
    const int n = g.n;
    const int64_t m = 2 * static_cast<int64_t>(n), half = m * (n + 1);
    const double h = g.width / g.p, scale = 1.0 / (static_cast<double>(m) * m);
    circulant_kernel<<<blocks_for(m * m), kBlock, 0, s->stream>>>(n, h, 1.0, scale, s->phi[0], s->phi[1]);
    if (!ok(cudaGetLastError(), "circulant_kernel", error) ||
        !ok_fft(s->api->exec_r2c(s->r2c, s->phi[0], s->product[0]), "cufftExecR2C", error) ||
        !ok_fft(s->api->exec_r2c(s->r2c, s->phi[1], s->product[1]), "cufftExecR2C", error)) {
        return false;
    }
    extract_kernel<<<blocks_for(half), kBlock, 0, s->stream>>>(half, s->product[0], s->product[1], s->kernel[0],
                                                               s->kernel[1]);
    swap_kernel<<<blocks_for(half), kBlock, 0, s->stream>>>(n, s->kernel[1], s->kernel[2]);
    if (!ok(cudaGetLastError(), "kernel spectra", error)) return false;
    s->kernel_width = g.width;
    return true;
}

template <int P>
bool run(State* s, const fft::Layout& g, const double* y, int n, double* rep, double* z_row, std::string* error) {
    const int boxes = g.boxes * g.boxes;
    const int64_t m = 2 * static_cast<int64_t>(g.n), half = m * (g.n + 1);
    box_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(y, n, g, s->box, s->index);
    int bits = 1;
    while ((1LL << bits) <= boxes) bits++;
    size_t bytes = s->cub_bytes;
    if (!ok(cub::DeviceRadixSort::SortPairs(s->cub_temp, bytes, s->box, s->sorted_box, s->index, s->order, n, 0, bits,
                                            s->stream), "cub sort", error)) {
        return false;
    }
    sorted_points_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(y, s->order, n, s->sorted_xy);
    starts_kernel<<<blocks_for(boxes + 1), kBlock, 0, s->stream>>>(s->sorted_box, n, boxes, s->start);
    spread_kernel<P><<<blocks_for(boxes), kBlock, 0, s->stream>>>(g, s->start, s->sorted_xy, s->charges, m);
    if (!ok(cudaGetLastError(), "spread", error) ||
        !ok_fft(s->api->exec_r2c(s->r2c, s->charges, s->spectrum), "cufftExecR2C", error)) {
        return false;
    }
    multiply_kernel<<<blocks_for(half), kBlock, 0, s->stream>>>(half, s->spectrum, s->kernel[0], s->kernel[1],
                                                                s->kernel[2], s->product[0], s->product[1],
                                                                s->product[2]);
    if (!ok(cudaGetLastError(), "multiply_kernel", error)) return false;
    for (int f = 0; f < 3; f++) {
        if (!ok_fft(s->api->exec_c2r(s->c2r, s->product[f], s->phi[f]), "cufftExecC2R", error)) return false;
    }
    SelfTable<P> self;
    fft::self_table<P>(g.width / P, 1.0, self.v);
    gather_kernel<P><<<blocks_for(n), kBlock, 0, s->stream>>>(g, s->sorted_xy, s->order, n, s->phi[0], s->phi[1],
                                                              s->phi[2], m, self, rep, z_row);
    return ok(cudaGetLastError(), "gather_kernel", error);
}

}  // namespace

State* create(int n, cudaStream_t stream, std::string* error) {
    const CufftApi* api = cufft(error);
    if (api == nullptr) return nullptr;
    auto* s = new State();
    s->api = api;
    s->stream = stream;
    s->points = n;
    bool good = ok(cudaMalloc(&s->bounds, 4 * sizeof(double)), "cudaMalloc", error) &&
                ok(cudaMallocHost(&s->host_bounds, 4 * sizeof(double)), "cudaMallocHost", error) &&
                ok(cudaMalloc(&s->box, std::max(n, 1) * sizeof(int)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->index, std::max(n, 1) * sizeof(int)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->sorted_box, std::max(n, 1) * sizeof(int)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->order, std::max(n, 1) * sizeof(int)), "cudaMalloc", error) &&
                ok(cudaMalloc(&s->sorted_xy, 2 * std::max(n, 1) * sizeof(double)), "cudaMalloc", error);
    if (good) {
        good = ok(cub::DeviceRadixSort::SortPairs(nullptr, s->cub_bytes, s->box, s->sorted_box, s->index, s->order, n,
                                                  0, 32, stream), "cub sort size", error) &&
               ok(cudaMalloc(&s->cub_temp, std::max<size_t>(s->cub_bytes, 1)), "cudaMalloc", error);
    }
    if (!good) {
        destroy(s);
        return nullptr;
    }
    return s;
}

int repulsion(State* s, const double* y, int n, double* rep, double* z_row, std::string* error) {
    bounds_kernel<<<1, kBlock, 0, s->stream>>>(y, n, s->bounds);
    if (!ok(cudaMemcpyAsync(s->host_bounds, s->bounds, 4 * sizeof(double), cudaMemcpyDeviceToHost, s->stream),
            "copy bounds", error) ||
        !ok(cudaStreamSynchronize(s->stream), "bounds", error)) {
        return 1;
    }
    const fft::Layout g = fft::make_layout(s->host_bounds, fft::kDefaultNodes, fft::kDefaultIntervalsPerUnit,
                                           fft::kDefaultMinIntervals);
    if (!prepare_grid(s, g, error)) return 1;
    if (s->kernel_width != g.width && !kernel_spectra(s, g, error)) return 1;
    return run<fft::kDefaultNodes>(s, g, y, n, rep, z_row, error) ? 0 : 1;
}

void destroy(State* s) {
    if (s == nullptr) return;
    if (s->stream != nullptr) cudaStreamSynchronize(s->stream);
    if (s->api != nullptr) free_grid(s);
    void* buffers[] = {s->bounds, s->box, s->index, s->sorted_box, s->order, s->sorted_xy, s->cub_temp};
    for (void* p : buffers) {
        if (p != nullptr) cudaFree(p);
    }
    if (s->host_bounds != nullptr) cudaFreeHost(s->host_bounds);
    delete s;
}

}  // namespace cuda_fft
}  // namespace torchsight
