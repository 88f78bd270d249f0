#!/usr/bin/env bash
# Our Gemm.sgemm (GemmBenchmark, JMH) against PyTorch's torch.mm (Debian torch, OpenBLAS) at the
# shapes of a ResNet-18 SimCLR step, 1 and 2 threads, in one run; prints GFLOP/s, the share of the
# machine's peak and the ratio. Arguments replace the JMH options (default: 1 fork, 3 warm-up and 5
# measured iterations of 1 s), e.g. -f 1 -wi 1 -i 3 -p threads=1.
# If OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are set, PyTorch is also timed without them (one extra
# column), since they can select a slower OpenBLAS kernel; nothing else is changed.
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

"$PY" benchmarks/gemm_vs_pytorch.py torch "$out/jmh.json" >"$out/torch.json"
no_env=()
if [[ -n "${OPENBLAS_CORETYPE:-}${OPENBLAS_L2_SIZE:-}" ]]; then
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" benchmarks/gemm_vs_pytorch.py torch "$out/jmh.json" >"$out/torch-no-env.json"
  no_env=("$out/torch-no-env.json")
fi
"$PY" benchmarks/gemm_vs_pytorch.py table "$out/jmh.json" "$ghz" "$out/torch.json" "${no_env[@]}"
