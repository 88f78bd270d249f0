#!/usr/bin/env bash
# The one call to the GPU machine for issue #5 (prepare .device/ here first with prepare.sh):
#   1. lessismore doctor --selftest          every kernel against its Java reference
#   2. the GPU parity tests (JUnit tag "gpu") on the compiled test classes
#   3. the device benchmarks (ours, CUDA events) and PyTorch's timing of the same work
#   4. reduce --strategy hash end to end, --device cuda against --device cpu, DICOM in page cache
#   5. the table, printed last: op, size, precision, ours, PyTorch, ratio, rate against the floor
# Each step has its own time limit (a hung kernel costs that step, not the call): about 9 minutes at
# worst, 3 to 4 expected; run it with timeout_s=590.
# Everything is written to a scratch folder; at the end $OUT (device tool; else ./device-out) gets
# the table, the doctor and parity summaries, both timing files and all logs as one logs.tgz (the
# device tool brings back at most 8 files).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
final="${OUT:-$root/device-out}"
out=/tmp/device-check
rm -rf "$out"
mkdir -p "$out" "$final"
tar -C /tmp -xJf .device/jre25.tar.xz
J=/tmp/jre25/bin/java
cp=".device/lessismore-benchmarks.jar:$(ls .device/lib/*.jar | tr '\n' ':')"
jflags=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xlog:disable -Xmx16g)
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | tee "$out/gpu.txt"

echo "== 1. doctor --selftest"
timeout 60 "$J" "${jflags[@]}" -cp "$cp" lessismore.cli.Main doctor --selftest --device cuda 2>&1 | tee "$out/doctor.txt"

echo "== 2. GPU parity tests"
timeout 150 "$J" "${jflags[@]}" -jar .device/junit-console.jar execute --disable-banner --details=summary \
  --class-path ".device/lessismore-tests.jar:$cp" --select-package lessismore --include-tag gpu \
  --reports-dir "$out/junit" 2>&1 | tee "$out/parity.txt" | tail -25

echo "== 3. device benchmarks: ours, then PyTorch"
timeout 150 "$J" "${jflags[@]}" -cp "$cp" lessismore.bench.gpu.GpuBenchmarks >"$out/ours.jsonl" 2>"$out/ours.log"
tail -3 "$out/ours.log"
for py in benchmarks/gpu/*_pytorch.py; do
  PYTHONUNBUFFERED=1 timeout 45 python3 "$py" >>"$out/pytorch.jsonl" 2>>"$out/pytorch.log" || echo "$py failed (see pytorch.log)"
done

echo "== 4. reduce --strategy hash end to end"
data=/tmp/ct
mkdir -p "$data/src"
tar -C "$data/src" -xJf .device/ct.tar.xz
# 100 copies of the two series (57 slices each copy): about 5,700 files, all in page cache.
for k in $(seq -w 1 100); do mkdir -p "$data/in/c$k" && cp -r "$data/src/." "$data/in/c$k/"; done
cat $(find "$data/in" -type f) >/dev/null
# The published rule per volume, then the global rule (whose candidate pairs come from the GPU).
for rule in reference global; do
  for dev in cpu cuda; do
    rm -rf "/tmp/red-$rule-$dev"
    timeout 30 "$J" "${jflags[@]}" -cp "$cp" lessismore.cli.Main reduce "$data/in" -o "/tmp/red-$rule-$dev" --strategy hash \
        --rule "$rule" --device "$dev" --threads 16 --no-report >"$out/reduce-$rule-$dev.txt" 2>&1
    rc=$?
    tail -4 "$out/reduce-$rule-$dev.txt"
    cp "/tmp/red-$rule-$dev/summary.json" "$out/reduce-$rule-$dev.json" 2>/dev/null
    echo "reduce --rule $rule --device $dev: exit $rc"
  done
  if cmp -s "/tmp/red-$rule-cpu/manifest.csv" "/tmp/red-$rule-cuda/manifest.csv"; then
    echo "--rule $rule: the manifests of --device cpu and --device cuda are identical" | tee -a "$out/reduce-compare.txt"
  else
    echo "--rule $rule: MANIFESTS DIFFER between --device cpu and --device cuda" | tee -a "$out/reduce-compare.txt"
  fi
done

echo "== 5. table"
python3 benchmarks/gpu/table.py "$out" | tee "$out/table.md"
tar -C "$out" -czf "$final/logs.tgz" .
cp "$out/table.md" "$out/doctor.txt" "$out/parity.txt" "$out/ours.jsonl" "$out/pytorch.jsonl" "$final/" 2>/dev/null
