// CUDA availability queries. In a build without nvcc they report that no kernels were built.
#pragma once

namespace torchsight {

/** 1 when this library was built with its CUDA kernels (nvcc was on PATH at build time), else 0. */
int cuda_kernels_built();

/** Number of usable CUDA devices; 0 without kernels, driver or device. */
int cuda_device_count();

/** CUDA runtime version the kernels were built against (e.g. 13000), 0 without kernels. */
int cuda_runtime_version();

/** Writes "name (sm_XY, N GiB)" of a device into buffer; returns 1 on success, 0 otherwise. */
int cuda_device_name(int device, char* buffer, int capacity);

}  // namespace torchsight
