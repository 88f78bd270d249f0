#!/usr/bin/env bash
# Compiles cuda-kernels/*.cu into java/src/main/resources/lessismore/cuda/ (PTX + sm_90 cubin per
# family). Needs nvcc (no GPU). Commit the results: machines without nvcc build the jar from them.
# Usage: cmake/build-kernels.sh [output-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/java/src/main/resources/lessismore/cuda}"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
cmake -S "$root/cmake" -B "$build" -DKERNEL_OUT="$out" >/dev/null
cmake --build "$build" -j "$(nproc)"
nvcc --version | tail -1 >"$out/nvcc-version.txt"
