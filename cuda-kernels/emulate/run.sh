#!/usr/bin/env bash
# Checks cuda-kernels/nt_xent.cu on the CPU: compiles the kernels as C++ with the CUDA emulation of
# this folder (AddressSanitizer and UBSan on, so out-of-bounds and misaligned accesses fail) and runs
# nt_xent_check.cpp. Needs g++ with C++20; takes a few minutes (one std::thread per GPU thread).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
g++ -std=c++20 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread \
    -DNT_XENT_EMULATE -I "$root/native" -I "$here" -include "$here/cuda_emulate.h" \
    -x c++ "$root/cuda-kernels/nt_xent.cu" -x c++ "$here/nt_xent_check.cpp" -o "$build/nt_xent_check"
"$build/nt_xent_check"
