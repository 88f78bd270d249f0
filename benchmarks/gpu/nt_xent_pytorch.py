#!/usr/bin/env python3
"""PyTorch's time for the work of NtXentDeviceBenchmark: SimCLR's NT-Xent loss, forward and backward.

As a SimCLR implementation computes it, in fp32 (TF32 matmuls off, PyTorch's default): F.normalize,
logits z z^T / tau with the diagonal masked to -inf, cross-entropy against the other view
(row i's positive is (i + B) mod 2B), mean over the 2B rows, then autograd to z. The diagonal mask
and the labels are made once per size, as an implementation would cache them. Timed with
torch.cuda.Event around batches of BATCH back-to-back iterations (as the Java side), per-iteration
median over RUNS batches after warm-up. Prints one JSON object per line with the same op / size /
precision strings as the Java benchmark.

    python3 benchmarks/gpu/nt_xent_pytorch.py            # on the GPU machine
    python3 benchmarks/gpu/nt_xent_pytorch.py --cpu --quick   # smoke test anywhere
"""
import argparse

import torch
import torch.nn.functional as F

from torch_timing import emit, median_ms

TAU = 0.5
SIZES = [(1024, 128), (4096, 128)]
WARMUP, RUNS, BATCH = 3, 25, 10


def nt_xent(z, mask, labels, tau):
    zn = F.normalize(z, dim=1)
    logits = (zn @ zn.T / tau).masked_fill(mask, float("-inf"))
    return F.cross_entropy(logits, labels)


def step(z, mask, labels):
    loss = nt_xent(z, mask, labels, TAU)
    (dz,) = torch.autograd.grad(loss, z)
    return loss, dz


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpu", action="store_true", help="run on the CPU (smoke test)")
    ap.add_argument("--quick", action="store_true", help="small sizes, few runs")
    args = ap.parse_args()
    device = torch.device("cpu" if args.cpu else "cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sizes = [(64, 128)] if args.quick else SIZES
    warmup, runs, batch = (1, 3, 2) if args.quick else (WARMUP, RUNS, BATCH)
    for b, d in sizes:
        n = 2 * b
        gen = torch.Generator().manual_seed(b * 31 + d)
        z = torch.randn(n, d, generator=gen).to(device).requires_grad_(True)
        mask = torch.eye(n, dtype=torch.bool, device=device)
        labels = (torch.arange(n, device=device) + b) % n
        ms = median_ms(lambda: step(z, mask, labels), not args.cpu, runs=runs, warmup=warmup, batch=batch)
        # The Java side reports its fp32 CUDA-core and its 3xTF32 tensor-core kernels (both held to
        # fp32's 1e-5); PyTorch's fp32 time is the reference for both.
        for precision in ("fp32", "fp32 (3xTF32)"):
            emit("nt_xent fwd+bwd", "B=%d D=%d" % (b, d), precision, ms)


if __name__ == "__main__":
    main()
