#!/usr/bin/env bash
# Compiles cuda-kernels/*.cu into java/src/main/resources/lessismore/cuda/ (PTX + sm_90 cubin per
# family). Needs nvcc (no GPU). Commit the results: machines without nvcc build the jar from them.
# Usage: cmake/build-kernels.sh [output-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/java/src/main/resources/lessismore/cuda}"
build="$(mktemp -d)"
# nvcc names internal-linkage symbols (anonymous namespaces, function-local __shared__ variables)
# after a hash of the source's absolute path, so the sources are compiled from one fixed folder:
# the binaries are then the same whichever checkout builds them.
src=/tmp/lessismore-kernel-sources
trap 'rm -rf "$build" "$src"' EXIT
rm -rf "$src"
mkdir -p "$src"
cp -r "$root/cmake" "$root/cuda-kernels" "$root/native" "$src/"
cmake -S "$src/cmake" -B "$build" -DKERNEL_OUT="$out" >/dev/null
cmake --build "$build" -j "$(nproc)"
nvcc --version | tail -1 >"$out/nvcc-version.txt"
