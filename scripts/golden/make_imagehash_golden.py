#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_imagehash_golden.py -- independent oracle for the perceptual-hash family
#
# What this is the oracle for
#   lessismore.signature.ImageHash (Java) re-implements imagehash 4.3's dhash,
#   average_hash, phash and whash (defaults) on 8-bit grey slices. This script
#   computes the same hashes with the Python stack imagehash itself runs on
#   (PIL 9.4 LANCZOS, numpy, scipy.fftpack.dct, pywt), written here from
#   imagehash's definitions because imagehash is not installed, for every slice
#   of the real CT data in shared/data/ct, at hash sizes 8 and 16.
#
# Which pixels are hashed
#   The 8-bit slices come from the published preprocessing as written in
#   make_dhash_golden.py (pydicom decode -> int16 HU -> min-max -> np.rint ->
#   uint8), imported from there rather than re-stated, so the oracle does not
#   depend on the Java decoder it checks. Both sides must hash the same pixels:
#   each row carries the CRC-32 of the slice's 8-bit pixels (row-major), and the
#   Java test checks that its own preprocessed pixels have that CRC before it
#   compares hashes. A hash mismatch is then a hash bug, never a decoding one.
#
# The definitions (imagehash 4.3, defaults), on the PIL "L" image of the slice
#   dhash(n): resize to (n+1) x n; bit = px[:, 1:] > px[:, :-1]
#   ahash(n): resize to n x n; bit = px > numpy.mean(px)
#   phash(n): resize to 4n x 4n; scipy.fftpack.dct along axis 0, then axis 1
#             (DCT-II, unnormalized); block = dct[:n, :n];
#             bit = block > numpy.median(block)
#   whash(n): scale = max(2**int(log2(min(w, h))), n); resize to scale x scale
#             (PIL returns a plain copy when the size is unchanged); px / 255.;
#             haar wavedec2 at level log2(scale), approximation set to zero,
#             waverec2; then haar wavedec2 at level log2(scale) - log2(n);
#             low = approximation; bit = low > numpy.median(low)
#   Bits are taken in hash.flatten() (row-major) order; the hex text is
#   imagehash's str(hash): the bits as one binary number, lower-case hex,
#   zero-padded to ceil(bits / 4) digits.
#
# Output: java/src/test/resources/golden/imagehash-shared-ct.csv, columns
#   relpath,pixels_crc32,kind,size,hex
#   one row per (slice, kind, size), slices in sorted relpath order; files that
#   pydicom cannot use as one 2D slice (DIRFILE records) have no rows.
#   Non-square and small images: for the first slice of each top folder, the
#   crops of CROPS are hashed too, as "<relpath>#crop=WxH+X+Y" rows (pixels_crc32
#   is then the crop's); they cover non-square input, upscaling resizes and
#   whash scales below 512, including a side below the hash size.
#   Ties: the same slice with everything outside a central square set to 0, as
#   "<relpath>#keep=WxH+X+Y" rows: most of its whash approximation band is flat
#   background, so many coefficients tie with the median, and whether each one
#   is above it depends on the last bits of pywt's arithmetic.
#   On stderr: the counts, and for phash the smallest gap between a DCT
#   coefficient and the median over all slices (relative to the block's largest
#   coefficient), which says how far floating-point differences between DCT
#   algorithms are from changing a bit.
#
# How to run (from the repository root; Debian's python3 with pydicom, numpy,
# scipy, PIL and pywt -- not the pyenv python3 that may be first on PATH):
#   /usr/bin/python3 scripts/golden/make_imagehash_golden.py [CT_DIR] [--out CSV]
#   CT_DIR defaults to ../shared/data/ct relative to the repository root.
# -----------------------------------------------------------------------------
import argparse
import csv
import os
import sys
import warnings
import zlib

import numpy as np
import pywt
import scipy.fftpack
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_dhash_golden as published  # noqa: E402  (the published preprocessing)

SIZES = (8, 16)
# (x, y, width, height) inside a 512 x 512 slice: 300 x 200 (whash scale 128),
# 61 x 37 (scale 32, upscaled for phash-16), 40 x 12 (scale 8: whash-16 upscales to 16).
CROPS = ((100, 150, 300, 200), (200, 220, 61, 37), (250, 250, 40, 12))
# (x, y, width, height) of the square kept by the "#keep" images.
KEEP = (192, 192, 128, 128)
KINDS = ("dhash", "ahash", "phash", "whash")

REPO_ROOT = published.REPO_ROOT
DEFAULT_CT = published.DEFAULT_CT
DEFAULT_OUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "golden", "imagehash-shared-ct.csv")


def resized(u8, w, h):
    """PIL "L" image of u8 resized to w x h with LANCZOS (imagehash's ANTIALIAS), as uint8 array."""
    return np.asarray(Image.fromarray(u8, mode="L").resize((w, h), Image.LANCZOS))


def dhash(u8, n):
    px = resized(u8, n + 1, n)
    return px[:, 1:] > px[:, :-1]


def ahash(u8, n):
    px = resized(u8, n, n)
    return px > np.mean(px)


def phash_block(u8, n):
    """The n x n low-frequency DCT block phash thresholds."""
    px = resized(u8, 4 * n, 4 * n)
    return scipy.fftpack.dct(scipy.fftpack.dct(px, axis=0), axis=1)[:n, :n]


def phash(u8, n):
    block = phash_block(u8, n)
    return block > np.median(block)


def whash(u8, n):
    scale = max(2 ** int(np.log2(min(u8.shape))), n)
    max_level = int(np.log2(scale))
    px = resized(u8, scale, scale) / 255.
    coeffs = list(pywt.wavedec2(px, "haar", level=max_level))
    coeffs[0] *= 0
    px = pywt.waverec2(coeffs, "haar")
    low = pywt.wavedec2(px, "haar", level=max_level - int(np.log2(n)))[0]
    return low > np.median(low)


HASHES = {"dhash": dhash, "ahash": ahash, "phash": phash, "whash": whash}


def to_hex(bits):
    """imagehash's str(hash)."""
    flat = bits.flatten()
    value = int("".join("1" if b else "0" for b in flat), 2)
    return "{:0>{width}x}".format(value, width=(len(flat) + 3) // 4)


def main(argv=None):
    ap = argparse.ArgumentParser(description="imagehash 4.3 golden hashes of the shared CT slices")
    ap.add_argument("ct_dir", nargs="?", default=DEFAULT_CT)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    ct_dir = os.path.abspath(args.ct_dir)
    if not os.path.isdir(ct_dir):
        sys.exit("no such folder: %s" % ct_dir)
    relpaths = sorted(os.path.relpath(os.path.join(root, name), ct_dir).replace(os.sep, "/")
                      for root, _, files in os.walk(ct_dir) for name in files)

    images = []  # (name, 8-bit image)
    slices = 0
    cropped = set()
    for rel in relpaths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, u8, reason = published.read_slice(os.path.join(ct_dir, *rel.split("/")))
        if reason is not None or u8.ndim != 2:
            continue
        slices += 1
        images.append((rel, u8))
        folder = rel.split("/")[0]
        if folder not in cropped:
            cropped.add(folder)
            for x, y, w, h in CROPS:
                images.append(("%s#crop=%dx%d+%d+%d" % (rel, w, h, x, y), u8[y:y + h, x:x + w]))
            x, y, w, h = KEEP
            kept = np.zeros_like(u8)
            kept[y:y + h, x:x + w] = u8[y:y + h, x:x + w]
            images.append(("%s#keep=%dx%d+%d+%d" % (rel, w, h, x, y), kept))

    rows = []
    min_gap = {n: np.inf for n in SIZES}
    for name, u8 in images:
        u8 = np.ascontiguousarray(u8)
        crc = "%08x" % zlib.crc32(u8.tobytes())
        rows += [[name, crc, kind, n, to_hex(HASHES[kind](u8, n))] for kind in KINDS for n in SIZES]
        for n in SIZES:
            block = phash_block(u8, n)
            gap = np.min(np.abs(block - np.median(block))) / np.max(np.abs(block))
            min_gap[n] = min(min_gap[n], gap)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["relpath", "pixels_crc32", "kind", "size", "hex"])
        w.writerows(rows)
    print("%d slices + %d derived images, x %d hashes = %d rows -> %s"
          % (slices, len(images) - slices, len(KINDS) * len(SIZES), len(rows), args.out), file=sys.stderr)
    for n in SIZES:
        print("phash-%d: smallest |coefficient - median| / max |coefficient| = %.3g" % (n, min_gap[n]),
              file=sys.stderr)


if __name__ == "__main__":
    main()
