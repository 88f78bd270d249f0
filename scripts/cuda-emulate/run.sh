#!/usr/bin/env bash
# CPU emulation of the CUDA kernels in cuda-kernels/ (no GPU needed; see README.md): translates each
# family's .cu to C++ over cuda_shim.h (translate.py), builds it with its harness
# (<family>_harness.cpp) using g++, and runs every kernel variant against a plain CPU reference.
# Prints one PASS / FAIL line per case, a summary line per family and in all; exits 1 on any failure.
# Run time on a 2-core machine (g++ 12): 3 to 5 minutes in all (measured: pairwise_similarity 45-85 s,
# perceptual_hash 30-45 s, nt_xent 110-160 s, with the sanitizers; SANITIZE=0 is faster).
# Usage: scripts/cuda-emulate/run.sh [pairwise_similarity|perceptual_hash|nt_xent ...]   (default: all)
# SANITIZE=0 builds without AddressSanitizer / UBSan (faster). EMU_SEED=N draws other random inputs
# (default 0: the same inputs every run).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
families=("$@")
[ ${#families[@]} -eq 0 ] && families=(pairwise_similarity perceptual_hash nt_xent)
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
[ "${SANITIZE:-1}" = 0 ] && sanitize=""
failed=()
passes=0
fails=0
for f in "${families[@]}"; do
    if [ ! -f "$here/${f}_harness.cpp" ]; then
        echo "unknown family: $f (pairwise_similarity, perceptual_hash, nt_xent)"; exit 2
    fi
    start=$SECONDS
    # pairwise_similarity (the most launches) runs without sanitizers to keep the whole run short.
    flags="$sanitize"
    [ "$f" = pairwise_similarity ] && flags=""
    if ! python3 "$here/translate.py" "$root/cuda-kernels/$f.cu" "$build/${f}_emul.cpp" ||
       ! g++ -std=c++20 -O1 -g -pthread $flags -I "$build" -I "$here" -I "$root/native" \
             -o "$build/$f" "$here/${f}_harness.cpp"; then
        echo "FAIL $f build"; failed+=("$f"); fails=$((fails + 1)); continue
    fi
    # one block's threads are many std::threads: keep ASan's per-thread stack bookkeeping small
    ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0 "$build/$f" 2>&1 | tee "$build/$f.log"
    rc=${PIPESTATUS[0]}
    passes=$((passes + $(grep -c '^PASS ' "$build/$f.log")))
    fails=$((fails + $(grep -c '^FAIL ' "$build/$f.log")))
    if [ "$rc" -ne 0 ]; then
        failed+=("$f")
        # a sanitizer error or crash ends the family without a FAIL line of its own
        grep -q '^FAIL ' "$build/$f.log" || { echo "FAIL $f aborted (exit $rc)"; fails=$((fails + 1)); }
    fi
    echo "($f: $((SECONDS - start)) s)"
done
echo "total: $passes passed, $fails failed"
if [ ${#failed[@]} -eq 0 ]; then
    echo "ALL PASSED: ${families[*]}"
else
    echo "FAILED: ${failed[*]}"; exit 1
fi
