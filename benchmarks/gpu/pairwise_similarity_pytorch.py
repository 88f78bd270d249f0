#!/usr/bin/env python3
"""PyTorch's timing of the work PairwiseSimilarityDeviceBenchmark times, as issue #5 measured it.

Prints one JSON object per line: {"op", "size", "precision", "pytorch_ms", ...}; op/size/precision
are the same strings as the Java benchmark's, so benchmarks/gpu/table.py joins the two.

  maxEarlier    chunks of rows: S = X[a:b] @ X[:b].T, columns j >= i masked to -inf, S.max(1)
  edgesAtLeast  the same chunked product and mask, then (S >= tau).nonzero()
  hammingAtMost bits of the hashes as fp16 0/1, dist = |a| + |b| - 2 a.b by a chunked matmul
                (exact: integers <= 64), mask, (dist <= t).nonzero()

bf16: X converted once before timing, the matmul in bf16 (as torch does it: bf16 output); fp32:
TF32 off. Data: the Java benchmark's distribution (volumes of 200 slices, random walks on the
sphere, neighbour cos about 0.95; hashes with two bit flips per slice), not its exact numbers.
Median over 20 runs timed with torch.cuda.Event after 3 warm-up runs.

  pairwise_similarity_pytorch.py            on the GPU, the benchmark's sizes
  pairwise_similarity_pytorch.py --cpu --quick   smoke test here (small sizes, wall-clock timing)
"""
import argparse
import math

import torch

from torch_timing import emit, median_ms

PER_VOLUME = 200
TAU = 0.9
T = 6
CHUNK = 4096


def walk(n, d, gen, device):
    """(n, d) unit rows: volumes of 200, x_i = normalise(x_{i-1} + 0.33 g / sqrt(d))."""
    vols = (n + PER_VOLUME - 1) // PER_VOLUME
    g = torch.randn(vols, PER_VOLUME, d, generator=gen).to(device) / math.sqrt(d)
    x = torch.empty_like(g)
    x[:, 0] = torch.nn.functional.normalize(g[:, 0], dim=1)
    for s in range(1, PER_VOLUME):
        x[:, s] = torch.nn.functional.normalize(x[:, s - 1] + 0.33 * g[:, s], dim=1)
    return x.reshape(-1, d)[:n].contiguous()


def hashes(n, gen, device):
    """(n,) int64: a random start per volume, then two random bit flips per slice."""
    h = torch.empty(n, dtype=torch.int64)
    starts = torch.randint(-2**63, 2**63 - 1, ((n + PER_VOLUME - 1) // PER_VOLUME,), generator=gen, dtype=torch.int64)
    flips = torch.randint(0, 64, (n, 2), generator=gen)
    one = torch.ones((), dtype=torch.int64)
    for i in range(n):
        if i % PER_VOLUME == 0:
            h[i] = starts[i // PER_VOLUME]
        else:
            h[i] = h[i - 1] ^ (one << flips[i, 0]) ^ (one << flips[i, 1])
    return h.to(device)


def earlier_mask(a, b, device):
    """(b - a, b) bool, True where column j >= row i (i = a + r): the pairs to exclude."""
    rows = torch.arange(a, b, device=device)[:, None]
    cols = torch.arange(0, b, device=device)[None, :]
    return cols >= rows


def max_earlier(x):
    n = x.shape[0]
    vals = torch.empty(n, device=x.device, dtype=torch.float32)
    idx = torch.empty(n, device=x.device, dtype=torch.int64)
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        s = x[a:b] @ x[:b].T
        s.masked_fill_(earlier_mask(a, b, x.device), float("-inf"))
        v, i = s.max(dim=1)
        vals[a:b] = v
        idx[a:b] = i
    return vals, idx


def edges_at_least(x, tau):
    n = x.shape[0]
    out = []
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        s = x[a:b] @ x[:b].T
        s.masked_fill_(earlier_mask(a, b, x.device), float("-inf"))
        e = (s >= tau).nonzero()
        e[:, 0] += a
        out.append(e)
    return torch.cat(out)


def hamming_at_most(bits, pop, t):
    n = bits.shape[0]
    out = []
    for a in range(0, n, CHUNK):
        b = min(n, a + CHUNK)
        dot = (bits[a:b] @ bits[:b].T).float()
        dist = pop[a:b, None] + pop[None, :b] - 2 * dot
        dist.masked_fill_(earlier_mask(a, b, bits.device), float("inf"))
        e = (dist <= t).nonzero()
        e[:, 0] += a
        out.append(e)
    return torch.cat(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpu", action="store_true", help="run on the CPU (smoke test)")
    p.add_argument("--quick", action="store_true", help="small sizes, few runs (smoke test)")
    args = p.parse_args()
    cuda = not args.cpu
    device = torch.device("cuda" if cuda else "cpu")
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    runs, warmup = (3, 1) if args.quick else (20, 3)
    gen = torch.Generator().manual_seed(5)
    scale = 16 if args.quick else 1

    for n, d in ((32768 // scale, 512), (65536 // scale, 128)):
        x = walk(n, d, gen, device)
        xb = x.bfloat16()
        size = f"n={n} d={d}"
        emit("maxEarlier", size, "fp32", median_ms(lambda: max_earlier(x), cuda, runs, warmup))
        emit("maxEarlier", size, "bf16", median_ms(lambda: max_earlier(xb), cuda, runs, warmup))

    n, d = 65536 // scale, 128
    x = walk(n, d, gen, device)
    xb = x.bfloat16()
    size = f"n={n} d={d} tau={TAU}"
    for prec, data in (("fp32", x), ("bf16", xb)):
        ms = median_ms(lambda: edges_at_least(data, TAU), cuda, runs, warmup)
        emit("edgesAtLeast", size, prec, ms, edges=int(edges_at_least(data, TAU).shape[0]))

    h = hashes(n, gen, device)
    bits = ((h[:, None] >> torch.arange(64, device=device)) & 1).to(torch.float16 if cuda else torch.float32)
    pop = bits.float().sum(dim=1)
    ms = median_ms(lambda: hamming_at_most(bits, pop, T), cuda, runs, warmup)
    emit("hammingAtMost", f"n={n} words=1 t={T}", "u64", ms, edges=int(hamming_at_most(bits, pop, T).shape[0]))


if __name__ == "__main__":
    main()
