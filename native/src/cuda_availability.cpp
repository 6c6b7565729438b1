// What the library knows about its CUDA half. Without nvcc the device queries answer "none here" and
// every session call fails with the reason, so callers never need to know how the library was built.
#include "torchsight/cuda.h"
#include "torchsight/tsne_cuda.h"

#include <cstdio>

namespace torchsight {

#ifdef TORCHSIGHT_WITH_CUDA
int cuda_kernels_built() { return 1; }
#else
int cuda_kernels_built() { return 0; }
int cuda_device_count() { return 0; }
int cuda_runtime_version() { return 0; }
int cuda_device_name(int, char*, int) { return 0; }

struct TsneCudaSession {};

namespace {
const char* const kNoKernels = "this libtorchsight was built without CUDA kernels (nvcc was not on PATH)";
}

TsneCudaSession* tsne_cuda_create(int, const int64_t*, const int32_t*, const double*, int, const double*, int,
                                  double, char* error, int capacity) {
    if (error != nullptr && capacity > 0) std::snprintf(error, static_cast<size_t>(capacity), "%s", kNoKernels);
    return nullptr;
}
int tsne_cuda_repulsion(const TsneCudaSession*) { return TSNE_CUDA_EXACT_TILES; }
int tsne_cuda_reset_optimizer(TsneCudaSession*) { return 1; }
int tsne_cuda_step(TsneCudaSession*, double, double, double, double) { return 1; }
int tsne_cuda_scalars(TsneCudaSession*, double*) { return 1; }
int tsne_cuda_kl_divergence(TsneCudaSession*, double, double*) { return 1; }
int tsne_cuda_exact_normalization(TsneCudaSession*, double*) { return 1; }
int tsne_cuda_gradient(TsneCudaSession*, double, double*, double*) { return 1; }
int tsne_cuda_embedding(TsneCudaSession*, double*) { return 1; }
const char* tsne_cuda_last_error(const TsneCudaSession*) { return kNoKernels; }
void tsne_cuda_destroy(TsneCudaSession*) {}
#endif

}  // namespace torchsight
