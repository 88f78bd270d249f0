#!/usr/bin/env bash
# Runs the project's GPU test classes and `lessismore doctor --selftest` against the emulated
# libcuda.so.1 (build.sh), on a machine without a GPU. See ../README.md ("Emulated driver").
# Usage: run-java-tests.sh [TestClass | TestClass#method ...]
#   default: CudaRuntimeTest CudaPerceptualHashTest CudaPairwiseSimilarityTest CudaNtXentTest ReduceOnGpuTest
# NO_DOCTOR=1 skips the doctor run; EMU_TRACE=1 logs every launch (into the class's emulator log,
# whose other lines are printed when the class fails). Needs JAVA_HOME (Java 25).
# Time on 2 cores: CudaRuntimeTest ~1 min, CudaPerceptualHashTest ~0.5 min, CudaPairwiseSimilarityTest
# ~4 min, ReduceOnGpuTest ~0.5 min, doctor 0.3-3 min; CudaNtXentTest much longer than 10 min in full
# (N = 4096 cases): see ../README.md for the subset it was run with.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
classes=("$@")
[ ${#classes[@]} -eq 0 ] && classes=(CudaRuntimeTest CudaPerceptualHashTest CudaPairwiseSimilarityTest CudaNtXentTest ReduceOnGpuTest)
lib="$(mktemp -d)"
trap 'rm -rf "$lib"' EXIT
"$here/build.sh" "$lib" >/dev/null || { echo "FAIL build of the emulated driver"; exit 1; }
cd "$root"
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
./mvnw -B -o -q package -pl java -DskipTests || { echo "FAIL mvn package"; exit 1; }
failed=()
for c in "${classes[@]}"; do
    start=$SECONDS
    if EMU_LOG="$lib/$c.emu.log" ./mvnw -B -o -q test -pl java -Dtest="$c" -Dsurefire.failIfNoSpecifiedTests=false \
            > "$lib/$c.log" 2>&1; then
        status=PASS
    else
        status=FAIL; failed+=("$c")
    fi
    cls="${c%%#*}"
    summary=$(grep -h -o 'tests="[0-9]*" errors="[0-9]*" skipped="[0-9]*" failures="[0-9]*"' \
              java/target/surefire-reports/TEST-*."$cls".xml 2>/dev/null | head -1)
    [ -z "$summary" ] && summary=$(grep -h -o 'tests="[0-9]*"[^>]*' java/target/surefire-reports/TEST-*."$cls".xml 2>/dev/null | head -1)
    echo "$status $c ($((SECONDS - start)) s) $summary"
    if [ "$status" = FAIL ]; then
        tail -40 "$lib/$c.log"
        # the driver's reasons for refusing a call (launch lines only with EMU_TRACE=1)
        grep -v '\] launch ' "$lib/$c.emu.log" 2>/dev/null | head -20
    fi
done
if [ "${NO_DOCTOR:-0}" != 1 ]; then
    start=$SECONDS
    if EMU_LOG="$lib/doctor.emu.log" ./lessismore doctor --selftest --seconds 5 > "$lib/doctor.log" 2>&1; then status=PASS; else status=FAIL; failed+=(doctor); fi
    echo "$status doctor --selftest ($((SECONDS - start)) s)"
    cat "$lib/doctor.log"
fi
if [ ${#failed[@]} -eq 0 ]; then echo "ALL PASSED"; else echo "FAILED: ${failed[*]}"; exit 1; fi
