#!/usr/bin/env bash
# GPU check of the CUDA t-SNE backend. Needs nvcc, g++ and a GPU; no Java, no network.
# Builds libtorchsight (kernels for this GPU only, to keep the build short) and a C++ driver, then runs:
#   forces (CUDA vs the CPU backend, same input; relative 1e-4), KL (1e-3), 30 optimiser steps, the
#   timing of 1,000 iterations at N = 70,000 (bound 3 s) and a 1M-point run on the tree path; the FFT
#   repulsion (TSNE_CUDA_FFT) at 5,000 (forces), 70,000 and 1,000,000 points (KL within 5% of the exact
#   tiles' / the tree's). The FFT path needs libcufft.so.12 (or .11) on the library path; its host
#   emulation needs libfftw3f, taken here from the JavaCPP fftw preset in ~/.m2.
# Prints one "PASS|FAIL|INFO name: numbers" line per check; exits non-zero when a check fails.
# Usage: benchmarks/gpu/check.sh [--cpu-only]   (--cpu-only: build without a GPU and run the host checks)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ -z "${CUDA_ARCHS:-}" ]] && command -v nvidia-smi >/dev/null 2>&1; then
    CUDA_ARCHS=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '. ')
fi
export CUDA_ARCHS=${CUDA_ARCHS:-90}
start=$(date +%s)
./cppbuild.sh target/gpu-check >/dev/null
CXX=${CXX:-g++}
"$CXX" -std=c++17 -O2 -fopenmp -Inative/include native/test/gpu_check.cpp -o target/gpu-check/gpu_check \
    -Ltarget/gpu-check -ltorchsight -Wl,-rpath,"$PWD/target/gpu-check"
echo "INFO build: libtorchsight for sm_${CUDA_ARCHS} and the driver in $(( $(date +%s) - start )) s"
fftw_jar=$(ls ~/.m2/repository/org/bytedeco/fftw/*/fftw-*-linux-x86_64.jar 2>/dev/null | tail -n 1 || true)
if [[ -n "$fftw_jar" ]]; then
    unzip -o -j -q "$fftw_jar" 'org/bytedeco/fftw/linux-x86_64/libfftw3f.so.3' -d target/gpu-check
    export TORCHSIGHT_FFTW="$PWD/target/gpu-check/libfftw3f.so.3"
fi
target/gpu-check/gpu_check "$@"
