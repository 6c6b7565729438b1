// What the library knows about its CUDA half. Without nvcc the device queries answer "none here".
#include "torchsight/cuda.h"

namespace torchsight {

#ifdef TORCHSIGHT_WITH_CUDA
int cuda_kernels_built() { return 1; }
#else
int cuda_kernels_built() { return 0; }
int cuda_device_count() { return 0; }
int cuda_runtime_version() { return 0; }
int cuda_device_name(int, char*, int) { return 0; }
#endif

}  // namespace torchsight
