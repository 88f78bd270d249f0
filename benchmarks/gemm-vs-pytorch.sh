#!/usr/bin/env bash
# Our Gemm.sgemm (GemmBenchmark, JMH) against PyTorch's torch.mm (Debian torch, OpenBLAS) at the
# shapes of a ResNet-18 SimCLR step, 1 and 2 threads, in one run; prints GFLOP/s, the share of the
# machine's peak and the ratio. Arguments replace the JMH options (default: 1 fork, 3 warm-up and 5
# measured iterations of 1 s), e.g. -f 1 -wi 1 -i 3 -p threads=1.
# PyTorch is timed as installed and in the variants described below (one column each); the
# environment of this script and of the JMH run is not changed.
# The machine may be shared: compare within one run and read the ± column.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
PY=/usr/bin/python3 # Debian's python with torch and numpy; the python3 on PATH may be a bare pyenv
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

args=("$@")
[[ ${#args[@]} -eq 0 ]] && args=(-f 1 -wi 3 -i 5 -w 1s -r 1s)
# JMH runs one instance per machine (/tmp/jmh.lock) and fails when another holds it: wait for it.
for try in $(seq 60); do
  status=0
  benchmarks/run-jmh.sh GemmBenchmark "${args[@]}" -rf json -rff "$out/jmh.json" 2>&1 | tee "$out/jmh.log" >&2 || status=$?
  grep -q "Unable to acquire the JMH lock" "$out/jmh.log" || break
  echo "gemm-vs-pytorch: another JMH run holds the lock; retry $try in 10 s" >&2
  sleep 10
done
[[ $status -eq 0 ]] || exit "$status"
cp="benchmarks/jmh/target/lessismore-benchmarks.jar:$(ls benchmarks/jmh/target/lib/*.jar | tr '\n' ':')"
ghz="$("$JAVA_HOME/bin/java" -cp "$cp" lessismore.bench.GemmBenchmark | cut -d' ' -f1)"

# PyTorch as installed; then without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if they are set; then,
# on AVX-512 CPUs, with OpenBLAS forced to its SkylakeX kernels: OpenBLAS 0.3.21 (Debian 12) does
# not recognise newer Xeons and falls back to its generic SSE3 "Prescott" kernels.
torch_variant() { # label, then an env(1) command line prefix
  local label="$1"
  shift
  "$@" "$PY" benchmarks/gemm_vs_pytorch.py torch "$out/jmh.json" >"$out/torch-$label.json"
  variants+=("$label=$out/torch-$label.json")
}
variants=()
torch_variant as-installed env
if [[ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]]; then
  torch_variant no-openblas-env env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
fi
if grep -qw avx512f /proc/cpuinfo; then
  torch_variant skylakex env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE=SKYLAKEX
fi
"$PY" benchmarks/gemm_vs_pytorch.py table "$out/jmh.json" "$ghz" "${variants[@]}"
