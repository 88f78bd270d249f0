"""Timing and output shared by the PyTorch side of the GPU benchmarks (the *_pytorch.py scripts).

median_ms: median milliseconds of one call of fn over `runs` timed runs after `warmup` untimed
ones; on the GPU each run is timed with CUDA events (after the previous run has finished), on the
CPU with the wall clock. `batch` calls per timed run are averaged, for work too short to time
alone. emit: one JSON line per timing, keyed (op, size, precision) like the Java side's rows.
"""
import json
import statistics
import time

import torch


def median_ms(fn, cuda, runs=20, warmup=3, batch=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        if cuda:
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            torch.cuda.synchronize()
            start.record()
            for _ in range(batch):
                fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / batch)
        else:
            t0 = time.perf_counter()
            for _ in range(batch):
                fn()
            times.append(1e3 * (time.perf_counter() - t0) / batch)
    return statistics.median(times)


def emit(op, size, precision, ms, **extra):
    print(json.dumps({"op": op, "size": size, "precision": precision, "pytorch_ms": ms, **extra}), flush=True)
