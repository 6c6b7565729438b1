// The CUDA t-SNE backend: one session owns every device buffer of an optimisation; a step is a fixed
// sequence of kernels on the session's stream and copies nothing to the host. Each kernel is a launch
// wrapper around a per-thread function of tsne_kernels.h. Reductions use a fixed grid and fixed-order
// block trees, and the tree's centres of mass come from integer prefix sums, so a run is reproducible.
#include "repulsion_fft_cuda.h"
#include "torchsight/tsne_cuda.h"
#include "torchsight/tsne_kernels.h"

#include <cub/cub.cuh>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace torchsight {

struct TsneCudaSession {
    int n = 0;
    int64_t nnz = 0;
    int repulsion = TSNE_CUDA_EXACT_TILES;
    double theta = 0.5;
    cudaStream_t stream = nullptr;
    cudaEvent_t first_step = nullptr, last_step = nullptr;
    bool timing_started = false;
    // P (CSR) and the optimiser state
    int64_t* row_ptr = nullptr;
    int32_t* cols = nullptr;
    double* vals = nullptr;
    double *y = nullptr, *update = nullptr, *gains = nullptr;
    float* yf = nullptr;  // float copy of y for the exact tiles, refreshed by every update
    // per-step scratch
    double *attr = nullptr, *rep = nullptr, *z_row = nullptr, *squares = nullptr;
    double* partial = nullptr;  // one partial sum per reduction block
    // exact tiles: the j range is split so that the grid fills the GPU; per-split partial forces
    int splits = 1, tiles_per_split = 1;
    double *split_rep = nullptr, *split_z = nullptr;
    double* scalars = nullptr;  // [0] = Z, [1] = squared gradient norm, [2] = last reduction result
    // implicit quadtree (TSNE_CUDA_TREE only)
    double* bounds = nullptr;
    uint32_t *codes = nullptr, *sorted_codes = nullptr;
    int *index = nullptr, *order = nullptr;
    double *sorted_x = nullptr, *sorted_y = nullptr;
    int64_t *fixed_x = nullptr, *fixed_y = nullptr, *sum_x = nullptr, *sum_y = nullptr;
    void* cub_temp = nullptr;
    size_t cub_temp_bytes = 0;
    cuda_fft::State* fft = nullptr;  // TSNE_CUDA_FFT only
    std::string error;
};

namespace {

constexpr int kBlock = 256;
/** Blocks of every reduction: fixed, so each sum adds the same terms in the same order on every run. */
constexpr int kReduceBlocks = 512;

int blocks_for(int64_t count) { return static_cast<int>((count + kBlock - 1) / kBlock); }

// ----------------------------------------------------------------------------------------------------
// Kernels

__global__ void to_float_kernel(const double* y, int64_t len, float* yf) {
    const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (c < len) yf[c] = static_cast<float>(y[c]);
}

__global__ void attractive_kernel(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n,
                                  const double* y, double* attr) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) kernels::attractive_row(i, row_ptr, cols, vals, y, &attr[2 * i], &attr[2 * i + 1]);
}

/**
 * All-pairs repulsion: the block stages kTile points at a time in shared memory. The j range is cut into
 * gridDim.y splits so that even ~100k points fill every SM; split s writes its partial sums to slot s and
 * combine_kernel adds the slots in order.
 */
__global__ void __launch_bounds__(kernels::kTile) exact_tiles_kernel(const float2* yf, int n, int tiles_per_split,
                                                                     double* split_rep, double* split_z) {
    __shared__ float2 tile[kernels::kTile];
    const int i = blockIdx.x * kernels::kTile + threadIdx.x;
    float xi = 0, yi = 0;
    if (i < n) {
        const float2 p = yf[i];
        xi = p.x;
        yi = p.y;
    }
    const int begin = blockIdx.y * tiles_per_split * kernels::kTile;
    const int end = min(n, begin + tiles_per_split * kernels::kTile);
    double fx = 0, fy = 0, z = 0;
    for (int base = begin; base < end; base += kernels::kTile) {
        const int j = base + threadIdx.x;
        if (j < n) tile[threadIdx.x] = yf[j];
        __syncthreads();
        float tfx, tfy, tz;
        kernels::repulsion_tile(xi, yi, reinterpret_cast<const float*>(tile), min(kernels::kTile, end - base), &tfx,
                                &tfy, &tz);
        fx += tfx;
        fy += tfy;
        z += tz;
        __syncthreads();
    }
    if (i < n) {
        const size_t slot = blockIdx.y;
        split_rep[slot * 2 * n + 2 * i] = fx;
        split_rep[slot * 2 * n + 2 * i + 1] = fy;
        split_z[slot * n + i] = z;
    }
}

__global__ void combine_kernel(const double* split_rep, const double* split_z, int splits, int n, double* rep,
                               double* z_row) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    double fx = 0, fy = 0, z = 0;
    for (int s = 0; s < splits; s++) {
        fx += split_rep[static_cast<size_t>(s) * 2 * n + 2 * i];
        fy += split_rep[static_cast<size_t>(s) * 2 * n + 2 * i + 1];
        z += split_z[static_cast<size_t>(s) * n + i];
    }
    rep[2 * i] = fx;
    rep[2 * i + 1] = fy;
    z_row[i] = z - 1.0;  // the point's own entry, counted once in its split
}

/** Min/max of both axes in one block (bounds[0..3] = min x, max x, min y, max y). */
__global__ void bounds_kernel(const double* y, int n, double* bounds) {
    __shared__ double lo_x[kBlock], hi_x[kBlock], lo_y[kBlock], hi_y[kBlock];
    double a = y[0], b = y[0], c = y[1], d = y[1];
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        a = fmin(a, y[2 * i]);
        b = fmax(b, y[2 * i]);
        c = fmin(c, y[2 * i + 1]);
        d = fmax(d, y[2 * i + 1]);
    }
    lo_x[threadIdx.x] = a;
    hi_x[threadIdx.x] = b;
    lo_y[threadIdx.x] = c;
    hi_y[threadIdx.x] = d;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) {
            lo_x[threadIdx.x] = fmin(lo_x[threadIdx.x], lo_x[threadIdx.x + stride]);
            hi_x[threadIdx.x] = fmax(hi_x[threadIdx.x], hi_x[threadIdx.x + stride]);
            lo_y[threadIdx.x] = fmin(lo_y[threadIdx.x], lo_y[threadIdx.x + stride]);
            hi_y[threadIdx.x] = fmax(hi_y[threadIdx.x], hi_y[threadIdx.x + stride]);
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        bounds[0] = lo_x[0];
        bounds[1] = hi_x[0];
        bounds[2] = lo_y[0];
        bounds[3] = hi_y[0];
    }
}

__device__ kernels::TreeBox box_of(const double* bounds) {
    return kernels::make_box(bounds[0], bounds[1], bounds[2], bounds[3]);
}

__global__ void morton_kernel(const double* y, int n, const double* bounds, uint32_t* codes, int* index) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    codes[i] = kernels::morton_code(y[2 * i], y[2 * i + 1], box_of(bounds));
    index[i] = i;
}

__global__ void gather_kernel(const double* y, const int* order, int n, const double* bounds, double* sorted_x,
                              double* sorted_y, int64_t* fixed_x, int64_t* fixed_y) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    const kernels::TreeBox box = box_of(bounds);
    const int i = order[r];
    sorted_x[r] = y[2 * i];
    sorted_y[r] = y[2 * i + 1];
    fixed_x[r] = kernels::fixed_point(y[2 * i], box.x0, box.side);
    fixed_y[r] = kernels::fixed_point(y[2 * i + 1], box.y0, box.side);
}

/** One thread per point in Morton order, so a warp walks neighbouring points down similar paths. */
__global__ void tree_kernel(const uint32_t* sorted_codes, const double* sorted_x, const double* sorted_y,
                            const int64_t* sum_x, const int64_t* sum_y, const int* order, int n,
                            const double* bounds, double theta, double* rep, double* z_row) {
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= n) return;
    const kernels::TreeView view{sorted_codes, sorted_x, sorted_y, sum_x, sum_y, n, box_of(bounds)};
    const int i = order[r];
    kernels::tree_repulsion(view, r, theta, &rep[2 * i], &rep[2 * i + 1], &z_row[i]);
}

/** Fixed-order block tree over shared memory; thread 0 returns the block's sum. */
__device__ double block_sum(double value) {
    __shared__ double shared[kBlock];
    shared[threadIdx.x] = value;
    __syncthreads();
    for (int stride = kBlock / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) shared[threadIdx.x] += shared[threadIdx.x + stride];
        __syncthreads();
    }
    return shared[0];
}

__global__ void partial_sum_kernel(const double* values, int64_t len, double* partial) {
    double sum = 0;
    for (int64_t c = blockIdx.x * static_cast<int64_t>(kBlock) + threadIdx.x; c < len;
         c += static_cast<int64_t>(kBlock) * gridDim.x) {
        sum += values[c];
    }
    const double total = block_sum(sum);
    if (threadIdx.x == 0) partial[blockIdx.x] = total;
}

__global__ void final_sum_kernel(const double* partial, int count, double* out) {
    double sum = 0;
    for (int b = threadIdx.x; b < count; b += kBlock) sum += partial[b];
    const double total = block_sum(sum);
    if (threadIdx.x == 0) *out = total;
}

__global__ void update_kernel(double* y, double* update, double* gains, float* yf, double* squares,
                              const double* attr, const double* rep, const double* scalars, int64_t len,
                              double exaggeration, double momentum, double learning_rate, double min_gain) {
    const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (c >= len) return;
    const double z = scalars[0];
    const double grad = kernels::gradient_coordinate(attr[c], rep[c], exaggeration, z > 0 ? 1.0 / z : 0.0);
    squares[c] = kernels::update_coordinate(&y[c], &update[c], &gains[c], grad, momentum, learning_rate, min_gain);
    yf[c] = static_cast<float>(y[c]);
}

__global__ void gradient_kernel(const double* attr, const double* rep, const double* scalars, int64_t len,
                                double exaggeration, double* grad) {
    const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (c >= len) return;
    const double z = scalars[0];
    grad[c] = kernels::gradient_coordinate(attr[c], rep[c], exaggeration, z > 0 ? 1.0 / z : 0.0);
}

__global__ void kl_kernel(const int64_t* row_ptr, const int32_t* cols, const double* vals, int n, const double* y,
                          double inv_z, double* row_kl) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) row_kl[i] = kernels::kl_row(i, row_ptr, cols, vals, y, inv_z);
}

__global__ void fill_kernel(double* values, int64_t len, double value) {
    const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (c < len) values[c] = value;
}

// ----------------------------------------------------------------------------------------------------
// Host side

/** Records the failure of a CUDA call on the session; true when the call failed. */
bool failed(TsneCudaSession* s, cudaError_t status, const char* what) {
    if (status == cudaSuccess) return false;
    s->error = std::string(what) + ": " + cudaGetErrorString(status);
    cudaGetLastError();  // clear a non-sticky error so later calls report their own
    return true;
}

#define TS_TRY(session, call)                                        \
    do {                                                             \
        if (failed((session), (call), #call)) return 1;              \
    } while (0)

/** Sum of len device values into *out (device), on the session's stream. */
int device_sum(TsneCudaSession* s, const double* values, int64_t len, double* out) {
    partial_sum_kernel<<<kReduceBlocks, kBlock, 0, s->stream>>>(values, len, s->partial);
    final_sum_kernel<<<1, kBlock, 0, s->stream>>>(s->partial, kReduceBlocks, out);
    TS_TRY(s, cudaGetLastError());
    return 0;
}

/** All-pairs repulsion of the current yf into rep and z_row. */
int exact_tiles(TsneCudaSession* s) {
    const int n = s->n;
    const dim3 grid(blocks_for(n), s->splits);
    exact_tiles_kernel<<<grid, kernels::kTile, 0, s->stream>>>(reinterpret_cast<const float2*>(s->yf), n,
                                                                s->tiles_per_split, s->split_rep, s->split_z);
    combine_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(s->split_rep, s->split_z, s->splits, n, s->rep, s->z_row);
    TS_TRY(s, cudaGetLastError());
    return 0;
}

/** Repulsion into rep and z_row, then Z into scalars[0]. */
int repulsion(TsneCudaSession* s) {
    const int n = s->n;
    if (s->repulsion == TSNE_CUDA_FFT) {
        if (cuda_fft::repulsion(s->fft, s->y, n, s->rep, s->z_row, &s->error) != 0) return 1;
    } else if (s->repulsion == TSNE_CUDA_TREE) {
        bounds_kernel<<<1, kBlock, 0, s->stream>>>(s->y, n, s->bounds);
        morton_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(s->y, n, s->bounds, s->codes, s->index);
        size_t bytes = s->cub_temp_bytes;
        TS_TRY(s, cub::DeviceRadixSort::SortPairs(s->cub_temp, bytes, s->codes, s->sorted_codes, s->index, s->order,
                                                  n, 0, 32, s->stream));
        gather_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(s->y, s->order, n, s->bounds, s->sorted_x,
                                                               s->sorted_y, s->fixed_x, s->fixed_y);
        bytes = s->cub_temp_bytes;
        TS_TRY(s, cub::DeviceScan::InclusiveSum(s->cub_temp, bytes, s->fixed_x, s->sum_x + 1, n, s->stream));
        bytes = s->cub_temp_bytes;
        TS_TRY(s, cub::DeviceScan::InclusiveSum(s->cub_temp, bytes, s->fixed_y, s->sum_y + 1, n, s->stream));
        tree_kernel<<<blocks_for(n), kBlock, 0, s->stream>>>(s->sorted_codes, s->sorted_x, s->sorted_y, s->sum_x,
                                                             s->sum_y, s->order, n, s->bounds, s->theta, s->rep,
                                                             s->z_row);
    } else if (exact_tiles(s) != 0) {
        return 1;
    }
    TS_TRY(s, cudaGetLastError());
    return device_sum(s, s->z_row, n, &s->scalars[0]);
}

/** Attractive and repulsive forces and Z for the current y. */
int forces(TsneCudaSession* s) {
    attractive_kernel<<<blocks_for(s->n), kBlock, 0, s->stream>>>(s->row_ptr, s->cols, s->vals, s->n, s->y,
                                                                  s->attr);
    TS_TRY(s, cudaGetLastError());
    return repulsion(s);
}

/** Waits for the stream and copies count doubles from the device. */
int read_back(TsneCudaSession* s, const double* device, double* host, int64_t count) {
    TS_TRY(s, cudaMemcpyAsync(host, device, count * sizeof(double), cudaMemcpyDeviceToHost, s->stream));
    TS_TRY(s, cudaStreamSynchronize(s->stream));
    return 0;
}

template <typename T>
bool allocate(TsneCudaSession* s, T** p, int64_t count) {
    return !failed(s, cudaMalloc(reinterpret_cast<void**>(p), std::max<int64_t>(count, 1) * sizeof(T)), "cudaMalloc");
}

/** Bytes of device memory a session needs (without cub's scratch, which is small). */
int64_t planned_bytes(int64_t n, int64_t nnz, int repulsion) {
    const int64_t max_splits = std::min<int64_t>(32, (n + kernels::kTile - 1) / kernels::kTile);
    int64_t bytes = (n + 1) * 8 + nnz * 12 + n * 2 * (8 * 6 + 4) + n * 8 + (kReduceBlocks + 8) * 8 + max_splits * n * 24;
    if (repulsion == TSNE_CUDA_TREE) bytes += n * (4 * 2 + 4 * 2 + 8 * 2 + 8 * 4) + 16;
    return bytes;
}

bool set_up(TsneCudaSession* s, int device, const int64_t* row_ptr, const int32_t* cols, const double* vals,
            const double* y) {
    const int64_t n = s->n, len = 2 * n;
    int count = 0;
    if (failed(s, cudaGetDeviceCount(&count), "cudaGetDeviceCount")) return false;
    if (device < 0 || device >= count) {
        s->error = "CUDA device " + std::to_string(device) + " does not exist (" + std::to_string(count) +
                   " usable)";
        return false;
    }
    if (failed(s, cudaSetDevice(device), "cudaSetDevice")) return false;
    size_t free_bytes = 0, total_bytes = 0;
    if (failed(s, cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo")) return false;
    const int64_t needed = planned_bytes(n, s->nnz, s->repulsion);
    if (needed > static_cast<int64_t>(free_bytes)) {
        char text[200];
        std::snprintf(text, sizeof text, "t-SNE on %lld points needs %.0f MiB of GPU memory but %.0f MiB is free",
                      static_cast<long long>(n), needed / 1048576.0, free_bytes / 1048576.0);
        s->error = text;
        return false;
    }
    if (failed(s, cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking), "cudaStreamCreate") ||
        failed(s, cudaEventCreate(&s->first_step), "cudaEventCreate") ||
        failed(s, cudaEventCreate(&s->last_step), "cudaEventCreate")) {
        return false;
    }
    // Enough blocks for about 8 resident per SM: below that the tiles cannot hide their latencies.
    int sms = 1;
    if (failed(s, cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute")) {
        return false;
    }
    const int tiles = static_cast<int>((n + kernels::kTile - 1) / kernels::kTile);
    s->splits = std::max(1, std::min({(8 * sms + tiles - 1) / tiles, tiles, 32}));
    s->tiles_per_split = (tiles + s->splits - 1) / s->splits;
    if (!allocate(s, &s->row_ptr, n + 1) || !allocate(s, &s->cols, s->nnz) || !allocate(s, &s->vals, s->nnz) ||
        !allocate(s, &s->y, len) || !allocate(s, &s->update, len) || !allocate(s, &s->gains, len) ||
        !allocate(s, &s->yf, len) || !allocate(s, &s->attr, len) || !allocate(s, &s->rep, len) ||
        !allocate(s, &s->squares, len) || !allocate(s, &s->z_row, n) || !allocate(s, &s->partial, kReduceBlocks) ||
        !allocate(s, &s->scalars, 4) || !allocate(s, &s->split_rep, s->splits * len) ||
        !allocate(s, &s->split_z, s->splits * n)) {
        return false;
    }
    // Uploads go through the session's stream: a non-blocking stream does not wait for the legacy one.
    if (failed(s, cudaMemcpyAsync(s->row_ptr, row_ptr, (n + 1) * sizeof(int64_t), cudaMemcpyHostToDevice, s->stream),
               "copy P") ||
        failed(s, cudaMemcpyAsync(s->cols, cols, s->nnz * sizeof(int32_t), cudaMemcpyHostToDevice, s->stream),
               "copy P") ||
        failed(s, cudaMemcpyAsync(s->vals, vals, s->nnz * sizeof(double), cudaMemcpyHostToDevice, s->stream),
               "copy P") ||
        failed(s, cudaMemcpyAsync(s->y, y, len * sizeof(double), cudaMemcpyHostToDevice, s->stream), "copy y") ||
        failed(s, cudaMemsetAsync(s->scalars, 0, 4 * sizeof(double), s->stream), "cudaMemset")) {
        return false;
    }
    to_float_kernel<<<blocks_for(len), kBlock, 0, s->stream>>>(s->y, len, s->yf);
    if (failed(s, cudaGetLastError(), "to_float_kernel")) return false;
    if (s->repulsion == TSNE_CUDA_TREE) {
        if (!allocate(s, &s->bounds, 4) || !allocate(s, &s->codes, n) || !allocate(s, &s->sorted_codes, n) ||
            !allocate(s, &s->index, n) || !allocate(s, &s->order, n) || !allocate(s, &s->sorted_x, n) ||
            !allocate(s, &s->sorted_y, n) || !allocate(s, &s->fixed_x, n) || !allocate(s, &s->fixed_y, n) ||
            !allocate(s, &s->sum_x, n + 1) || !allocate(s, &s->sum_y, n + 1)) {
            return false;
        }
        if (failed(s, cudaMemsetAsync(s->sum_x, 0, sizeof(int64_t), s->stream), "cudaMemset") ||
            failed(s, cudaMemsetAsync(s->sum_y, 0, sizeof(int64_t), s->stream), "cudaMemset")) {
            return false;
        }
        size_t sort_bytes = 0, scan_bytes = 0;
        const int ni = static_cast<int>(n);
        if (failed(s, cub::DeviceRadixSort::SortPairs(nullptr, sort_bytes, s->codes, s->sorted_codes, s->index,
                                                      s->order, ni, 0, 32, s->stream), "cub sort size") ||
            failed(s, cub::DeviceScan::InclusiveSum(nullptr, scan_bytes, s->fixed_x, s->sum_x + 1, ni, s->stream),
                   "cub scan size")) {
            return false;
        }
        s->cub_temp_bytes = std::max(sort_bytes, scan_bytes);
        if (failed(s, cudaMalloc(&s->cub_temp, s->cub_temp_bytes), "cudaMalloc")) return false;
    }
    if (s->repulsion == TSNE_CUDA_FFT) {
        s->fft = cuda_fft::create(static_cast<int>(n), s->stream, &s->error);
        if (s->fft == nullptr) return false;
    }
    return !failed(s, cudaStreamSynchronize(s->stream), "initial copy");
}

void release(TsneCudaSession* s) {
    void* buffers[] = {s->row_ptr, s->cols,     s->vals,         s->y,       s->update,   s->gains,    s->yf,
                       s->attr,    s->rep,      s->z_row,        s->squares, s->partial,  s->scalars,  s->bounds,
                       s->codes,   s->sorted_codes, s->index,    s->order,   s->sorted_x, s->sorted_y, s->fixed_x,
                       s->fixed_y, s->sum_x,    s->sum_y,        s->cub_temp, s->split_rep, s->split_z};
    for (void* p : buffers) {
        if (p != nullptr) cudaFree(p);
    }
    cuda_fft::destroy(s->fft);
    if (s->first_step != nullptr) cudaEventDestroy(s->first_step);
    if (s->last_step != nullptr) cudaEventDestroy(s->last_step);
    if (s->stream != nullptr) cudaStreamDestroy(s->stream);
}

}  // namespace

TsneCudaSession* tsne_cuda_create(int device, const int64_t* row_ptr, const int32_t* cols, const double* vals,
                                  int n, const double* y, int repulsion, double theta, char* error, int capacity) {
    auto* s = new TsneCudaSession();
    s->n = n;
    s->nnz = row_ptr[n];
    s->repulsion = repulsion == TSNE_CUDA_AUTO
                       ? (n <= TSNE_CUDA_EXACT_MAX_POINTS ? TSNE_CUDA_EXACT_TILES : TSNE_CUDA_TREE)
                       : repulsion;
    s->theta = theta;
    if (!set_up(s, device, row_ptr, cols, vals, y)) {
        if (error != nullptr && capacity > 0) std::snprintf(error, static_cast<size_t>(capacity), "%s", s->error.c_str());
        release(s);
        delete s;
        return nullptr;
    }
    return s;
}

int tsne_cuda_repulsion(const TsneCudaSession* session) { return session->repulsion; }

int tsne_cuda_reset_optimizer(TsneCudaSession* s) {
    const int64_t len = 2 * static_cast<int64_t>(s->n);
    TS_TRY(s, cudaMemsetAsync(s->update, 0, len * sizeof(double), s->stream));
    fill_kernel<<<blocks_for(len), kBlock, 0, s->stream>>>(s->gains, len, 1.0);
    TS_TRY(s, cudaGetLastError());
    return 0;
}

int tsne_cuda_step(TsneCudaSession* s, double exaggeration, double momentum, double learning_rate,
                   double min_gain) {
    const int64_t len = 2 * static_cast<int64_t>(s->n);
    if (!s->timing_started) {
        TS_TRY(s, cudaEventRecord(s->first_step, s->stream));
        s->timing_started = true;
    }
    if (forces(s) != 0) return 1;
    update_kernel<<<blocks_for(len), kBlock, 0, s->stream>>>(s->y, s->update, s->gains, s->yf, s->squares, s->attr,
                                                             s->rep, s->scalars, len, exaggeration, momentum,
                                                             learning_rate, min_gain);
    TS_TRY(s, cudaGetLastError());
    if (device_sum(s, s->squares, len, &s->scalars[1]) != 0) return 1;
    TS_TRY(s, cudaEventRecord(s->last_step, s->stream));
    return 0;
}

int tsne_cuda_scalars(TsneCudaSession* s, double* out) {
    double host[2];
    if (read_back(s, s->scalars, host, 2) != 0) return 1;
    out[0] = host[0];
    out[1] = std::sqrt(host[1]);
    float ms = 0;
    if (s->timing_started) TS_TRY(s, cudaEventElapsedTime(&ms, s->first_step, s->last_step));
    out[2] = ms;
    return 0;
}

int tsne_cuda_kl_divergence(TsneCudaSession* s, double z, double* out) {
    kl_kernel<<<blocks_for(s->n), kBlock, 0, s->stream>>>(s->row_ptr, s->cols, s->vals, s->n, s->y, 1.0 / z,
                                                          s->z_row);
    TS_TRY(s, cudaGetLastError());
    if (device_sum(s, s->z_row, s->n, &s->scalars[2]) != 0) return 1;
    return read_back(s, &s->scalars[2], out, 1);
}

int tsne_cuda_exact_normalization(TsneCudaSession* s, double* out) {
    if (exact_tiles(s) != 0) return 1;
    if (device_sum(s, s->z_row, s->n, &s->scalars[2]) != 0) return 1;
    return read_back(s, &s->scalars[2], out, 1);
}

int tsne_cuda_gradient(TsneCudaSession* s, double exaggeration, double* grad, double* z) {
    const int64_t len = 2 * static_cast<int64_t>(s->n);
    if (forces(s) != 0) return 1;
    gradient_kernel<<<blocks_for(len), kBlock, 0, s->stream>>>(s->attr, s->rep, s->scalars, len, exaggeration,
                                                               s->squares);
    TS_TRY(s, cudaGetLastError());
    if (read_back(s, s->squares, grad, len) != 0) return 1;
    return read_back(s, &s->scalars[0], z, 1);
}

int tsne_cuda_embedding(TsneCudaSession* s, double* y) { return read_back(s, s->y, y, 2 * static_cast<int64_t>(s->n)); }

const char* tsne_cuda_last_error(const TsneCudaSession* session) { return session->error.c_str(); }

void tsne_cuda_destroy(TsneCudaSession* session) {
    if (session == nullptr) return;
    cudaStreamSynchronize(session->stream);
    release(session);
    delete session;
}

}  // namespace torchsight
