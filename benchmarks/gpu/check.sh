#!/usr/bin/env bash
# GPU check of the CUDA t-SNE backend. Needs nvcc, g++ and a GPU; no Java, no network.
# Builds libtorchsight (kernels for this GPU only, to keep the build short) and a C++ driver, then runs:
#   forces (CUDA vs the CPU backend, same input; relative 1e-4), KL (1e-3), 30 optimiser steps, the
#   timing of 1,000 iterations at N = 70,000 (bound 3 s) and a 1M-point run on the tree path.
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
target/gpu-check/gpu_check "$@"
