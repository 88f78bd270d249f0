#!/usr/bin/env bash
# Builds the emulated driver and checks its own checks (selftest.cpp); a few seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$here/build.sh" "$out" >/dev/null
g++ -std=c++20 -O1 -I "${CUDA_INCLUDE:-/usr/local/cuda/include}" -o "$out/selftest" "$here/selftest.cpp" \
    -L "$out" -l:libcuda.so.1 -Wl,-rpath,"$out"
"$out/selftest"
