#!/usr/bin/env bash
# CI check: the PTX and cubin files committed under java/src/main/resources/lessismore/cuda/ are
# exactly what nvcc makes of cuda-kernels/ now (nvcc's output is deterministic and independent of
# the checkout's path). Skips, saying so, where nvcc is absent; fails on any stale, missing or extra
# file. The compiler version is part of the check: the committed files name theirs in
# nvcc-version.txt, and a different nvcc is reported rather than compared.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
committed="$root/java/src/main/resources/lessismore/cuda"
if ! command -v nvcc >/dev/null || ! command -v cmake >/dev/null; then
  echo "check-kernels: nvcc or cmake not found, committed kernels not checked"
  exit 0
fi
want="$(cat "$committed/nvcc-version.txt")"
have="$(nvcc --version | tail -1)"
if [[ "$want" != "$have" ]]; then
  echo "check-kernels: kernels were built with '$want', this nvcc is '$have': not compared"
  exit 0
fi
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$root/cmake/build-kernels.sh" "$fresh" >/dev/null
if ! diff -rq "$committed" "$fresh"; then
  echo "check-kernels: committed kernels differ from cuda-kernels/: run cmake/build-kernels.sh and commit" >&2
  exit 1
fi
echo "check-kernels: $(ls "$committed" | grep -c -v nvcc-version) kernel binaries are current"
