"""Helper of gemm-vs-pytorch.sh: times torch.mm at GemmBenchmark's shapes and prints the table.

  gemm_vs_pytorch.py torch JMH_JSON   -> JSON {"shape|threads": GFLOP/s, "core": OpenBLAS core} on stdout
  gemm_vs_pytorch.py table JMH_JSON GHZ LABEL=TORCH_JSON...

The shapes and thread counts are read from the JMH results, so GemmBenchmark's @Param lists are
the only place they are written. Needs Debian's torch (/usr/bin/python3).
"""
import json
import os
import sys
import time


def runs(jmh_json):
    """(shape, threads, calls/s, error) for each JMH result."""
    with open(jmh_json) as f:
        results = json.load(f)
    if not results:
        sys.exit(f"no JMH results in {jmh_json}")
    for r in results:
        p = r["params"]
        # scoreError is the string "NaN" when there are too few iterations for an interval.
        yield p["shape"], int(p["threads"]), float(r["primaryMetric"]["score"]), float(r["primaryMetric"]["scoreError"])


def dims(shape):
    name, m, n, k, trans = shape.split()
    return name, int(m), int(n), int(k), trans


def time_torch(shape, threads):
    """GFLOP/s of torch.mm, mean over 5 windows of >= 0.3 s after 3 warm-up calls."""
    import torch
    torch.set_num_threads(threads)
    _, m, n, k, trans = dims(shape)
    # Transposed operands as transposed views, as a layer would pass them: torch.mm hands the
    # transpose flags to BLAS sgemm like GemmBenchmark does to Gemm.sgemm.
    a = torch.rand(k, m).t() if trans[0] == "T" else torch.rand(m, k)
    b = torch.rand(n, k).t() if trans[1] == "T" else torch.rand(k, n)
    out = torch.empty(m, n)
    for _ in range(3):
        torch.mm(a, b, out=out)
    calls, elapsed = 0, 0.0
    for _ in range(5):
        start, c = time.perf_counter(), 0
        while time.perf_counter() - start < 0.3:
            torch.mm(a, b, out=out)
            c += 1
        calls += c
        elapsed += time.perf_counter() - start
    return 2.0 * m * n * k * calls / elapsed / 1e9


def peak_per_core(ghz):
    """(GFLOP/s per core, how): lanes x 2 (FMA) x 2 FMA units x GHz, lanes from the CPU flags."""
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    lanes = 16 if "avx512f" in flags else 8 if "avx" in flags else 4
    fma = 2 if "fma" in flags else 1
    units = 2  # FMA ports per core on Xeon Scalable / client cores since Haswell: not in the flags
    per_cycle = lanes * fma * units
    how = f"{lanes} float lanes ({'avx512f' if lanes == 16 else 'avx' if lanes == 8 else 'sse'}) x {fma} (fma) x {units} FMA units = {per_cycle} FLOP/cycle x {ghz:.2f} GHz"
    return per_cycle * ghz, how


def openblas_core():
    """The OpenBLAS kernel set that torch's BLAS runs (threadpoolctl), or '?'."""
    try:
        import threadpoolctl
        return ",".join(i.get("architecture", "?") for i in threadpoolctl.threadpool_info()
                        if i.get("internal_api") == "openblas") or "?"
    except ImportError:
        return "?"


def table(jmh_json, ghz, *variants):
    ghz = float(ghz)
    torches = []
    for v in variants:
        label, path = v.split("=", 1)
        with open(path) as f:
            torches.append((label, json.load(f)))
    core_peak, how = peak_per_core(ghz)
    cores = len(os.sched_getaffinity(0))
    print(f"Peak: {cores} cores x {how} = {cores * core_peak:.0f} GFLOP/s ({core_peak:.0f} per core)")
    for label, t in torches:
        print(f"torch [{label}]: OpenBLAS core {t['core']}")
    head = f"{'shape':<11} {'m':>5} {'n':>6} {'k':>6} op {'thr':>3} | {'ours GFLOP/s':>16} {'%peak':>6}"
    for label, _ in torches:
        head += f" | {label[:14]:>14} {'ours/it':>7}"
    print(head)
    print("-" * len(head))
    for shape, threads, score, err in runs(jmh_json):
        name, m, n, k, trans = dims(shape)
        flop = 2.0 * m * n * k / 1e9
        ours, ours_err = score * flop, err * flop
        line = (f"{name:<11} {m:>5} {n:>6} {k:>6} {trans} {threads:>3} | {ours:>8.1f} ± {ours_err:>5.1f} "
                f"{100 * ours / (threads * core_peak):>5.0f}%")
        for _, t in torches:
            theirs = t[f"{shape}|{threads}"]
            line += f" | {theirs:>14.1f} {ours / theirs:>7.2f}"
        print(line)


def main():
    mode = sys.argv[1]
    if mode == "torch":
        result = {f"{s}|{t}": time_torch(s, t) for s, t, _, _ in runs(sys.argv[2])}
        result["core"] = openblas_core()
        json.dump(result, sys.stdout)
    elif mode == "table":
        table(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
