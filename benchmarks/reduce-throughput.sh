#!/usr/bin/env bash
# -----------------------------------------------------------------------------
# reduce-throughput.sh [DATA_DIR] -- end-to-end throughput of the Hash-6 reduction:
#   (a) the published pipeline, benchmarks/reference/published_hash6.py, run with
#       Debian's /usr/bin/python3 (pydicom + numpy + PIL; the PNG round trip the
#       paper's scripts did), timed as a whole process (interpreter start-up and
#       imports included);
#   (b) lessismore: ./lessismore reduce DATA --out TMP/out --strategy hash --quiet --json,
#       timed as a whole process (JVM start included), plus the in-process rate
#       it reports in TMP/out/summary.json ("timings": {"total_s", "slices_per_s"}).
#
# DATA_DIR defaults to ../shared/data/ct relative to the repository root.
# Before measuring: the data files are read once (page cache), and each tool is
# run once untimed (builds the jar if needed, creates the JVM's class-data
# archive, warms Python's bytecode cache). Then RUNS (default 3) measured runs of
# each, alternating, and the medians are reported; ratio = slices/s relative to
# the published Python pipeline end to end.
#
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), RUNS,
# LESSISMORE (the launcher to run, default ./lessismore; for testing this script),
# REPEAT=K (default 1): measure on K copies of DATA_DIR (a folder of symbolic links,
# copy-01/... copy-K/..., to the same files), so that start-up is amortized as on a
# real archive; copies share UIDs, so both tools see K times longer series.
# -----------------------------------------------------------------------------
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"

if [[ $# -ge 1 ]]; then
  data_dir="$(cd "$1" && pwd)"            # resolved against the caller's folder
else
  data_dir="$(cd "$repo_root/../shared/data/ct" && pwd)"
fi
cd "$repo_root"
REPEAT="${REPEAT:-1}"

export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
RUNS="${RUNS:-3}"
PY=/usr/bin/python3
LESSISMORE="${LESSISMORE:-./lessismore}"

if ! [[ "$RUNS" =~ ^[1-9][0-9]*$ ]]; then
  echo "RUNS must be a positive integer, got '$RUNS'" >&2
  exit 2
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/reduce-throughput.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

if [[ "$REPEAT" -gt 1 ]]; then
  # One symbolic link per file (Python's os.walk does not follow linked folders).
  for ((k = 1; k <= REPEAT; k++)); do
    copy="$tmp/data/$(printf 'copy-%02d' "$k")"
    (cd "$data_dir" && find -L . -type f) | while IFS= read -r f; do
      mkdir -p "$copy/$(dirname "$f")"
      ln -s "$data_dir/$f" "$copy/$f"
    done
  done
  data_dir="$tmp/data"
fi

now_ns() { date +%s%N; }

run_python() {   # $1 = file to receive the JSON line; prints wall ns on stdout
  rm -rf "$tmp/png"
  local t0 t1
  t0=$(now_ns)
  if ! "$PY" benchmarks/reference/published_hash6.py "$data_dir" --tmp "$tmp/png" \
      >"$1" 2>"$tmp/py.err"; then
    echo "published_hash6.py failed:" >&2
    cat "$tmp/py.err" >&2
    exit 1
  fi
  t1=$(now_ns)
  echo $((t1 - t0))
}

run_lessismore() {   # $1 = file to receive a copy of summary.json; prints wall ns
  rm -rf "$tmp/out"
  local t0 t1
  t0=$(now_ns)
  if ! "$LESSISMORE" reduce "$data_dir" --out "$tmp/out" --strategy hash --quiet --json \
      >"$tmp/lim.out" 2>"$tmp/lim.err"; then
    echo "lessismore failed:" >&2
    cat "$tmp/lim.err" "$tmp/lim.out" >&2
    exit 1
  fi
  t1=$(now_ns)
  if [[ ! -f "$tmp/out/summary.json" ]]; then
    echo "lessismore wrote no $tmp/out/summary.json" >&2
    exit 1
  fi
  cp "$tmp/out/summary.json" "$1"
  echo $((t1 - t0))
}

echo "data: $data_dir ($(find -L "$data_dir" -type f | wc -l) files), runs: $RUNS, cpus: $(nproc)" >&2
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1)" >&2

# Page cache, then one untimed run of each tool.
find -L "$data_dir" -type f -exec cat {} + >/dev/null
echo "warm-up: lessismore (untimed)" >&2
run_lessismore "$tmp/warm-lim.json" >/dev/null
echo "warm-up: published_hash6.py (untimed)" >&2
run_python "$tmp/warm-py.json" >/dev/null

: >"$tmp/py.walls"
: >"$tmp/lim.walls"
for ((i = 1; i <= RUNS; i++)); do
  ns=$(run_python "$tmp/py.$i.json")
  echo "$ns" >>"$tmp/py.walls"
  echo "run $i/$RUNS: published (python) $(awk -v n="$ns" 'BEGIN{printf "%.2f", n/1e9}') s" >&2
  ns=$(run_lessismore "$tmp/lim.$i.json")
  echo "$ns" >>"$tmp/lim.walls"
  echo "run $i/$RUNS: lessismore        $(awk -v n="$ns" 'BEGIN{printf "%.2f", n/1e9}') s" >&2
done

"$PY" - "$tmp" "$RUNS" <<'EOF'
import json, statistics, sys

tmp, runs = sys.argv[1], int(sys.argv[2])

def walls(name):
    with open("%s/%s.walls" % (tmp, name)) as fh:
        return [int(line) / 1e9 for line in fh if line.strip()]

def load(path):
    with open(path) as fh:
        return json.load(fh)

py = [load("%s/py.%d.json" % (tmp, i)) for i in range(1, runs + 1)]
lim = [load("%s/lim.%d.json" % (tmp, i)) for i in range(1, runs + 1)]

py_slices = py[0]["slices"]
py_kept = py[0]["kept"]
py_wall = statistics.median(walls("py"))
py_inproc = statistics.median(r["seconds"] for r in py)

lim_totals = lim[0].get("totals", {})
lim_slices = lim_totals["slices"]
lim_kept = lim_totals.get("kept")
lim_wall = statistics.median(walls("lim"))
lim_inproc_s = statistics.median(r["timings"]["total_s"] for r in lim)
lim_inproc_rate = statistics.median(r["timings"]["slices_per_s"] for r in lim)

base = py_slices / py_wall
rows = [
    ("published (python)", py_slices, py_wall, base),
    ("lessismore (end to end)", lim_slices, lim_wall, lim_slices / lim_wall),
    ("lessismore (in-process)", lim_slices, lim_inproc_s, lim_inproc_rate),
]
print()
print("%-26s %6s %7s %9s %6s" % ("tool", "slices", "wall_s", "slices/s", "ratio"))
for name, n, s, rate in rows:
    print("%-26s %6d %7.2f %9.1f %6.2f" % (name, n, s, rate, rate / base))
print()
print("medians of %d runs; published in-process (after imports): %.2f s, %.1f slices/s"
      % (runs, py_inproc, py_slices / py_inproc))
notes = []
if lim_slices != py_slices:
    notes.append("slice counts differ: published %d, lessismore %d" % (py_slices, lim_slices))
if lim_kept is not None and lim_kept != py_kept:
    notes.append("kept counts differ: published %d, lessismore %d" % (py_kept, lim_kept))
for n in notes:
    print("WARNING: " + n)
EOF
