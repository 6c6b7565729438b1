#!/usr/bin/env bash
# Compiles build_bench.cpp (the native HNSW build benchmark) to /tmp/build_bench with cppbuild.sh's flags.
set -euo pipefail
cd "$(dirname "$0")"
g++ -std=c++17 -O3 -fopenmp -march=x86-64-v2 -DTORCHSIGHT_WITH_HNSWLIB -I../../../native/include \
    build_bench.cpp -o "${1:-/tmp/build_bench}"
