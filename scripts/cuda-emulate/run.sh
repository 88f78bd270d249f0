#!/usr/bin/env bash
# Runs the pairwise_similarity kernels on the CPU: every CUDA thread a std::thread, blocks one
# after another, __syncthreads and warp shuffles by barriers, ldmatrix/mma.sync emulated from the
# PTX fragment tables (cuda_shim.h). Checks every kernel against an fp32 fma-chain brute force on
# small inputs (pairwise_similarity_harness.cpp). For machines without a GPU: it catches indexing
# and logic errors, not races, timing or hardware-specific rounding. About 3 minutes on 2 cores.
# Usage: scripts/cuda-emulate/run.sh [quick]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
python3 "$here/translate.py" "$root/cuda-kernels/pairwise_similarity.cu" "$build/pairwise_similarity_emul.cpp"
cp "$here/cuda_shim.h" "$here/pairwise_similarity_harness.cpp" "$build/"
g++ -std=c++20 -O1 -pthread -o "$build/harness" "$build/pairwise_similarity_harness.cpp"
"$build/harness" "$@"
