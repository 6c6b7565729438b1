#!/usr/bin/env bash
# Builds native/ into libtorchsight.so: C++17, -O3, OpenMP; plus the CUDA sources when nvcc is on PATH.
# Usage: ./cppbuild.sh [INSTALL_DIR]   (Maven calls it with the jar's native resource folder)
# Environment: CXX (default g++), NVCC (default nvcc), CUDA_ARCHS (default "75 80 86 89 90"),
#              TORCHSIGHT_NO_CUDA=1 to skip the CUDA sources even where nvcc exists.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_DIR=target/native
INSTALL_DIR=${1:-$BUILD_DIR}
CXX=${CXX:-g++}
NVCC=${NVCC:-nvcc}
CUDA_ARCHS=${CUDA_ARCHS:-"75 80 86 89 90"}
mkdir -p "$BUILD_DIR/obj" "$INSTALL_DIR"

# Incremental: an object is rebuilt when it is older than its source, any header, this script, or
# when the build flavour (CUDA or not) changed. A Maven build then costs seconds, not minutes.
newest_header=$(find native/include native/src -name '*.h' -newer "$BUILD_DIR/obj" 2>/dev/null | head -n 1 || true)
flavour="cpu"
if [[ -z "${TORCHSIGHT_NO_CUDA:-}" ]] && command -v "$NVCC" >/dev/null 2>&1; then flavour="cuda:${CUDA_ARCHS}"; fi
# hnswlib (approximate neighbours for t-SNE) is header-only, from Debian's libhnswlib-dev. Without it the
# library is built without the index: the approximate method then reports itself unavailable.
have_hnswlib=""
if echo '#include <hnswlib/hnswlib.h>' | "$CXX" -std=c++17 -E -x c++ - >/dev/null 2>&1; then have_hnswlib=1; fi
[[ -n "$have_hnswlib" ]] || flavour+=":no-hnswlib"
if [[ "$(cat "$BUILD_DIR/obj/flavour" 2>/dev/null)" != "$flavour" || -n "$newest_header" || "$0" -nt "$BUILD_DIR/obj/flavour" ]]; then
    rm -f "$BUILD_DIR"/obj/*.o
fi
echo "$flavour" > "$BUILD_DIR/obj/flavour"
touch "$BUILD_DIR/obj"
stale() { [[ ! -f "$2" || "$1" -nt "$2" ]]; }

CXXFLAGS=(-std=c++17 -O3 -fPIC -fopenmp -march=x86-64-v2 -Wall -Wextra -Inative/include -Inative/src)
LDLIBS=(-fopenmp)

if [[ -n "$have_hnswlib" ]]; then
    CXXFLAGS+=(-DTORCHSIGHT_WITH_HNSWLIB)
else
    echo "cppbuild: warning: hnswlib headers not found; building without approximate neighbours" \
         "(install them with: apt-get install libhnswlib-dev)" >&2
fi

if [[ -z "${TORCHSIGHT_NO_CUDA:-}" ]] && command -v "$NVCC" >/dev/null 2>&1; then
    gencode=()
    last=""
    for arch in $CUDA_ARCHS; do
        gencode+=(-gencode "arch=compute_${arch},code=sm_${arch}")
        last=$arch
    done
    gencode+=(-gencode "arch=compute_${last},code=compute_${last}")  # PTX for newer GPUs
    for src in native/cuda/*.cu; do
        stale "$src" "$BUILD_DIR/obj/$(basename "$src" .cu).cu.o" || continue
        echo "cppbuild: nvcc ${src}"
        "$NVCC" -std=c++17 -O3 --threads 0 -Xcompiler -fPIC -Inative/include -Inative/src "${gencode[@]}" \
            -c "$src" -o "$BUILD_DIR/obj/$(basename "$src" .cu).cu.o"
    done
    # nvcc may be a wrapper script: ask it where its toolkit lives rather than resolving the path.
    CUDA_TOP=$("$NVCC" --dryrun -x cu /dev/null 2>&1 | sed -n 's/^#\$ TOP=//p' | head -n 1)
    CUDA_LIB=""
    for dir in "$CUDA_TOP/lib64" "$CUDA_TOP/targets/x86_64-linux/lib"; do
        [[ -f "$dir/libcudart_static.a" ]] && CUDA_LIB=$dir && break
    done
    [[ -n "$CUDA_LIB" ]] || { echo "cppbuild: error: libcudart_static.a not found under $CUDA_TOP" >&2; exit 1; }
    CXXFLAGS+=(-DTORCHSIGHT_WITH_CUDA)
    LDLIBS+=(-L"$CUDA_LIB" -Wl,-Bstatic -lcudart_static -Wl,-Bdynamic -lrt -ldl -lpthread)
    echo "cppbuild: CUDA kernels built for sm_${CUDA_ARCHS// /, sm_} + PTX (cudart linked statically)"
else
    echo "cppbuild: notice: nvcc not found on PATH (or TORCHSIGHT_NO_CUDA set);" \
         "building the CPU library only, the CUDA backend will report itself unavailable"
fi

for src in native/src/*.cpp; do
    stale "$src" "$BUILD_DIR/obj/$(basename "$src" .cpp).o" || continue
    echo "cppbuild: ${CXX} ${src}"
    "$CXX" "${CXXFLAGS[@]}" -c "$src" -o "$BUILD_DIR/obj/$(basename "$src" .cpp).o"
done
"$CXX" -shared -o "$BUILD_DIR/libtorchsight.so" -Wl,-soname,libtorchsight.so "$BUILD_DIR"/obj/*.o "${LDLIBS[@]}"
if [[ "$INSTALL_DIR" != "$BUILD_DIR" ]]; then
    cp "$BUILD_DIR/libtorchsight.so" "$INSTALL_DIR/"
fi
echo "cppbuild: $INSTALL_DIR/libtorchsight.so"
