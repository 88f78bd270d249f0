#!/usr/bin/env bash
# Builds the emulated libcuda.so.1 (see ../README.md, "Emulated driver") into OUTDIR:
# translates every cuda-kernels/<family>.cu (../translate.py), generates the kernel table from
# native/*.h (gen_dispatch.py) and links them with driver.cpp. Needs python3, g++ (C++20) and
# cuda.h (CUDA_INCLUDE, default /usr/local/cuda/include; only the header, no GPU or libcuda).
# Usage: build.sh OUTDIR     SANITIZE=1 adds -fsanitize=undefined (ASan would have to be preloaded
# into the JVM, so it is not offered here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
emu="$(dirname "$here")"
root="$(cd "$emu/../.." && pwd)"
out="${1:?usage: build.sh OUTDIR}"
mkdir -p "$out/src"
inc="${CUDA_INCLUDE:-/usr/local/cuda/include}"
[ -f "$inc/cuda.h" ] || { echo "build.sh: no cuda.h in $inc (set CUDA_INCLUDE)" >&2; exit 2; }
families=$(python3 "$here/gen_dispatch.py" "$root" "$out/src")
flags=(-std=c++20 -O2 -g -fPIC -pthread -fvisibility=hidden -DEMU_SMEM_GUARD -I "$out/src" -I "$here" -I "$emu" -I "$root/native" -I "$inc")
[ "${SANITIZE:-0}" = 1 ] && flags+=(-fsanitize=undefined)
objs=()
pids=()
for f in $families; do
    python3 "$emu/translate.py" "$root/cuda-kernels/$f.cu" "$out/src/${f}_emul.cpp"
    g++ "${flags[@]}" -c "$out/src/${f}_dispatch.cpp" -o "$out/src/$f.o" & pids+=($!)
    objs+=("$out/src/$f.o")
done
g++ "${flags[@]}" -c "$out/src/kernel_table.cpp" -o "$out/src/kernel_table.o" & pids+=($!)
g++ "${flags[@]}" -fvisibility=default -c "$here/driver.cpp" -o "$out/src/driver.o" & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done
g++ "${flags[@]}" -shared -Wl,-soname,libcuda.so.1 -Wl,--no-undefined -o "$out/libcuda.so.1" \
    "${objs[@]}" "$out/src/kernel_table.o" "$out/src/driver.o"
ln -sf libcuda.so.1 "$out/libcuda.so"
echo "$out/libcuda.so.1"
