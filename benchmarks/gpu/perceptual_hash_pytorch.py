#!/usr/bin/env python3
"""PyTorch's timing of the work PerceptualHashDeviceBenchmark does (issue #5, kernel 2).

The issue's comparison: dHash of 4096 uint8 512x512 slices already on the GPU, the way a PyTorch
user would write it: uint8 -> float, area resize to 8 x 9 (adaptive_avg_pool2d, which is
interpolate(mode='area')), right neighbour brighter, bits packed into one int64 per slice. Also pHash
(area resize to 32 x 32, DCT-II as two matmuls with the cosine matrix, numpy-style median of the
8 x 8 block) and dHash of int16 slices through per-slice 8-bit lookup tables (the gather on the GPU).
These are PyTorch's approximations of the hashes (area average, float32), not imagehash's bits; the
timing is what is compared.

Prints one JSON object per line: {"op", "size", "precision", "pytorch_ms"} (median of 25 runs timed
with torch.cuda.Event after 3 warm-up runs). --cpu --quick: a small smoke test on the CPU.
"""
import argparse
import math

import torch
import torch.nn.functional as F

from torch_timing import emit, median_ms

W = H = 512


def pack_bits(bits):
    """(B, 64) bool -> (B,) int64, first bit most significant (as the Java words)."""
    weights = torch.tensor([1 << (63 - i) if i > 0 else -(1 << 63) for i in range(64)],
                           dtype=torch.int64, device=bits.device)
    return (bits.to(torch.int64) * weights).sum(dim=1)


def dhash(gray_u8):
    """gray_u8: (B, H, W) uint8 -> (B,) int64."""
    small = F.adaptive_avg_pool2d(gray_u8.unsqueeze(1).float(), (8, 9)).squeeze(1)  # (B, 8, 9)
    return pack_bits((small[:, :, 1:] > small[:, :, :-1]).reshape(-1, 64))


def dct_matrix(n, k, device):
    """(k, n) float32: cos(pi k (2m + 1) / 2n), scaled by 2 as scipy.fftpack.dct."""
    kk = torch.arange(k, dtype=torch.float64).unsqueeze(1)
    m = torch.arange(n, dtype=torch.float64).unsqueeze(0)
    return (2 * torch.cos(math.pi * kk * (2 * m + 1) / (2 * n))).float().to(device)


def phash(gray_u8, d):
    """gray_u8: (B, H, W) uint8, d: (8, 32) DCT rows -> (B,) int64."""
    small = F.adaptive_avg_pool2d(gray_u8.unsqueeze(1).float(), (32, 32)).squeeze(1)  # (B, 32, 32)
    block = (d @ small @ d.T).reshape(-1, 64)                                          # (B, 64)
    s = block.sort(dim=1).values
    median = (s[:, 31] + s[:, 32]) / 2
    return pack_bits(block > median.unsqueeze(1))


def dhash_int16(pixels, luts, lut_min, lut_offset):
    """pixels (B, H, W) int16, luts (L,) uint8, lut_min/lut_offset (B,) int64 -> (B,) int64.

    int64 indices: what indexing accepts in every PyTorch version (8 bytes per pixel of temporary).
    """
    index = pixels.to(torch.int64) - lut_min.view(-1, 1, 1) + lut_offset.view(-1, 1, 1)
    return dhash(luts[index])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", action="store_true", help="run on the CPU (smoke test)")
    ap.add_argument("--quick", action="store_true", help="16 slices, 3 timed runs")
    args = ap.parse_args()
    cuda = not args.cpu
    device = torch.device("cuda" if cuda else "cpu")
    count = 16 if args.quick else 4096
    runs = 3 if args.quick else 25
    size = f"{count}x{W}x{H}"
    g = torch.Generator(device=device).manual_seed(5)   # inputs made on the device: no 3 GB host copy

    gray = torch.randint(0, 256, (count, H, W), dtype=torch.uint8, generator=g, device=device)
    d = dct_matrix(32, 8, device)
    rows = [("perceptual_hash dhash8", "u8", lambda: dhash(gray)),
            ("perceptual_hash phash8", "u8", lambda: phash(gray, d))]
    for op, precision, fn in rows:
        emit(op, size, precision, median_ms(fn, cuda, runs=runs))
    del gray

    # int16 slices in HU with one table of 4096 entries per slice (-1024..3071), 64 distinct tables.
    pixels = torch.randint(-1024, 3072, (count, H, W), dtype=torch.int16, generator=g, device=device)
    luts = torch.randint(0, 256, (64 * 4096,), dtype=torch.uint8, generator=g, device=device)
    lut_min = torch.full((count,), -1024, dtype=torch.int64, device=device)
    lut_offset = (torch.arange(count, device=device) % 64) * 4096
    emit("perceptual_hash dhash8", size, "i16+lut",
         median_ms(lambda: dhash_int16(pixels, luts, lut_min, lut_offset), cuda, runs=runs))


if __name__ == "__main__":
    main()
