#!/usr/bin/env bash
# Decode throughput per transfer syntax, ours (JMH) next to dcmtk's (the peer), on one real
# 512x512 CT slice re-encoded by dcmtk into every syntax dcmtk writes. Prints, per syntax: the
# plain file read (the ceiling), our header parse rate, our read+parse+decode in MB/s of decoded
# pixels and as a fraction of the ceiling, and dcmtk's decompress-to-file time per file (dcmdjpeg,
# dcmdjpls, dcmdrle, dcmconv: a whole process each, so its start-up is included; shown for scale).
# Usage: benchmarks/decode-throughput.sh [SLICE.dcm]   (needs Debian's dcmtk)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
src="${1:-../shared/data/ct/chest-phase00/00-slice050.dcm}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/decode-throughput.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

dcmconv +te "$src" "$tmp/explicit-le.dcm"
dcmconv +ti "$src" "$tmp/implicit-le.dcm"
dcmconv +tb "$src" "$tmp/explicit-be.dcm"
dcmconv +td "$src" "$tmp/deflated.dcm"
dcmcrle "$src" "$tmp/rle.dcm"
dcmcjpeg +e1 "$src" "$tmp/jpeg-lossless-sv1.dcm"
dcmcjpeg +ee "$src" "$tmp/jpeg-extended-12bit.dcm"
dcmcjpls +el "$src" "$tmp/jpegls-lossless.dcm" 2>/dev/null || dcmcjpls "$src" "$tmp/jpegls-lossless.dcm"
dcmcjpls +en +md 2 "$src" "$tmp/jpegls-near2.dcm" 2>/dev/null || true
# dcmtk writes no JPEG 2000: a real JPEG 2000 Lossless slice of the shared data (another patient's
# 512x512 slice, same size) stands in; there is no dcmtk time for it.
j2k="$(ls ../shared/data/ct/totalseg-j2k/* 2>/dev/null | head -n 1 || true)"
[[ -n "$j2k" ]] && cp "$j2k" "$tmp/jpeg2000-lossless.dcm"
cat "$tmp"/*.dcm >/dev/null

files=$(ls "$tmp"/*.dcm | tr '\n' ',' | sed 's/,$//')
./mvnw -q -B -DskipTests -pl benchmarks/jmh -am package
cp="benchmarks/jmh/target/lessismore-benchmarks.jar:$(ls benchmarks/jmh/target/lib/*.jar | tr '\n' ':')"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main DicomDecodeBenchmark \
  -p file="$files" -f 1 -wi 2 -i 3 -w 1s -r 1s -rf json -rff "$tmp/jmh.json" >"$tmp/jmh.log" 2>&1 || {
  tail -30 "$tmp/jmh.log"; exit 1; }

# dcmtk: decompress each file to a raw uncompressed file, median of 5 runs, whole process.
peer() {
  local f="$1" tool
  case "$(basename "$f")" in
    rle.dcm) tool=dcmdrle ;;
    jpeg-*) tool=dcmdjpeg ;;
    jpegls-*) tool=dcmdjpls ;;
    jpeg2000-*) echo 0; return ;;
    *) tool="dcmconv +te" ;;
  esac
  for i in 1 2 3 4 5; do
    local t0 t1; t0=$(date +%s%N); $tool "$f" "$tmp/out.dcm"; t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 ))
  done | sort -n | sed -n 3p
}
: >"$tmp/peer.txt"
for f in "$tmp"/*.dcm; do [[ "$f" == */out.dcm ]] || echo "$(basename "$f") $(peer "$f")" >>"$tmp/peer.txt"; done

/usr/bin/python3 - "$tmp/jmh.json" "$tmp/peer.txt" <<'PY'
import json, os, sys
rows = {}
for r in json.load(open(sys.argv[1])):
    f = os.path.basename(r["params"]["file"])
    rows.setdefault(f, {})[r["benchmark"].rsplit(".", 1)[1]] = r["primaryMetric"]["score"]
peer = dict(line.split() for line in open(sys.argv[2]) if line.strip())
mb = 512 * 512 * 2 / 1e6
print("%-26s %10s %11s %12s %9s %13s" % ("syntax (512x512 slice)", "read MB/s", "parse f/s", "decode MB/s",
                                          "of read", "dcmtk ms/file"))
for f in sorted(rows):
    r = rows[f]
    size = os.path.getsize(os.path.join(os.path.dirname(sys.argv[1]), f)) / 1e6
    read_mbs = r["readFile"] * size
    dec = r["readParseDecode"] * mb
    print("%-26s %10.0f %11.0f %12.0f %8.0f%% %13.1f" % (f, read_mbs, r["parseHeader"], dec,
          100 * r["readParseDecode"] / r["readFile"], int(peer.get(f, 0)) / 1000))
print("read MB/s: file bytes; decode MB/s: decoded pixel bytes (0.52 MB/slice); 'of read' = decode rate / read rate "
      "(files per second); dcmtk includes process start-up")
PY
