// CUDA runtime queries used by `torchsight info` and by the backend choice: is a usable GPU present?
#include "torchsight/cuda.h"

#include <cuda_runtime.h>

#include <cstdio>

namespace torchsight {

int cuda_device_count() {
    int count = 0;
    // No driver or no device is an ordinary answer here, not an error: report zero devices.
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return count;
}

int cuda_runtime_version() {
    int version = 0;
    return cudaRuntimeGetVersion(&version) == cudaSuccess ? version : 0;
}

int cuda_device_name(int device, char* buffer, int capacity) {
    cudaDeviceProp prop;
    if (capacity <= 0 || cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    std::snprintf(buffer, static_cast<size_t>(capacity), "%s (sm_%d%d, %.1f GiB)", prop.name, prop.major,
                  prop.minor, prop.totalGlobalMem / 1073741824.0);
    return 1;
}

}  // namespace torchsight
