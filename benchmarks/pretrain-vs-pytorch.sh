#!/usr/bin/env bash
# SimCLR training-step throughput, our engine next to PyTorch 1.13 on the CPU, in the same run:
# ResNet-18 (1 channel) + BN projection head, batch x 2 views, forward + NT-Xent + backward + SGD,
# random views (no data pipeline on either side). PyTorch runs with torch.set_num_threads(THREADS);
# the JVM is limited to THREADS processors (-XX:ActiveProcessorCount), which bounds our Gemm's
# threads. Prints images/s (source images per second, two views each) for both and the ratio.
# Usage: benchmarks/pretrain-vs-pytorch.sh [SIZES] [BATCH] [STEPS] [WARMUP] [THREADS]
#   defaults: "64 128" 32 5 2 2. Needs Debian's python3-torch and python3-torchvision (/usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
sizes="${1:-64 128}"
batch="${2:-32}"
steps="${3:-5}"
warmup="${4:-2}"
threads="${5:-2}"
python="${PYTHON:-/usr/bin/python3}"

./mvnw -q -B -DskipTests -pl benchmarks/jmh -am package
cp="benchmarks/jmh/target/lessismore-benchmarks.jar:$(ls benchmarks/jmh/target/lib/*.jar | tr '\n' ':')"
# The Vector API module is what our Gemm kernel uses where it is built with it; harmless otherwise.
java_flags=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:ActiveProcessorCount="$threads" -Xmx4g)

printf '%-6s %-6s %14s %14s %8s\n' size batch "ours img/s" "torch img/s" ratio
for size in $sizes; do
  ours="$("$JAVA_HOME/bin/java" "${java_flags[@]}" -cp "$cp" lessismore.bench.SimclrStepThroughput \
    "$size" "$batch" "$steps" "$warmup" 2> >(grep -v "incubator modules" >&2) | tail -n 1)"
  torch="$(OMP_NUM_THREADS="$threads" "$python" benchmarks/pretrain_vs_pytorch.py "$size" "$batch" "$steps" "$warmup" "$threads")"
  echo "# $ours" >&2
  echo "# $torch" >&2
  o="$(sed -E 's/.* ([0-9.]+) images\/s.*/\1/' <<<"$ours")"
  t="$(sed -E 's/.* ([0-9.]+) images\/s.*/\1/' <<<"$torch")"
  printf '%-6s %-6s %14s %14s %8s\n' "$size" "$batch" "$o" "$t" "$(awk -v o="$o" -v t="$t" 'BEGIN{printf "%.3f", o/t}')"
done
