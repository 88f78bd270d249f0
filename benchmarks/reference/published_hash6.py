#!/usr/bin/python3
# -----------------------------------------------------------------------------
# published_hash6.py -- the published Hash-6 pipeline (Wolf et al. 2024), done the
# way the paper's scripts do it, as the timing baseline for lessismore.
#
#   for every file under INPUT_DIR (recursively):
#     pydicom.dcmread -> pixel_array -> published preprocessing to uint8
#     -> write the 8-bit slice as a PNG into a temp folder (the published scripts
#        wrote PNGs with OpenCV; PIL is used here, with OpenCV's imwrite defaults
#        for PNG: zlib level 1 and the Z_RLE strategy -- PIL's own default,
#        level 6, is about 4x slower here and would flatter lessismore)
#     -> read the PNG back with PIL
#     -> imagehash-4.3-style dhash (9x8 LANCZOS, 64 bits)
#   group by series (SeriesInstanceUID, else "<folder>|<StudyInstanceUID>"),
#   order by file name, greedy with Hamming threshold 6 (first remaining slice
#   is kept, everything within distance <= 6 of it is dropped, repeat).
#
# Prints ONE line of JSON on stdout:
#   {"slices": N, "kept": K, "skipped": M, "seconds": S, "slices_per_s": R}
# S is the wall time of the processing measured inside Python with
# time.perf_counter() from the start of main() (after imports), so it excludes
# interpreter start-up and imports; benchmarks/reduce-throughput.sh times the
# whole process separately. Files pydicom cannot read or decode, and files
# without pixel data, are skipped silently (counted in "skipped").
#
# Usage: /usr/bin/python3 benchmarks/reference/published_hash6.py INPUT_DIR [--tmp DIR]
#   --tmp DIR  folder for the PNG files (created if needed; a PNG per slice is
#              left there). Without it a fresh temporary folder is used and
#              removed at the end (the removal is not part of S).
# -----------------------------------------------------------------------------
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
import zlib

import numpy as np
import pydicom
from PIL import Image

THRESHOLD = 6
# cv2.imwrite's PNG defaults (IMWRITE_PNG_COMPRESSION=1, IMWRITE_PNG_STRATEGY_RLE)
PNG_OPTIONS = {"compress_level": 1, "compress_type": zlib.Z_RLE}


def preprocess(ds):
    img = ds.pixel_array.astype(np.int16)
    img[img == -2000] = 0
    slope = ds.get("RescaleSlope")
    slope = float(slope) if slope is not None and slope != "" else 1.0
    if slope != 1:
        img = (slope * img.astype(np.float64)).astype(np.int16)
    intercept = ds.get("RescaleIntercept")
    if intercept is None or intercept == "":
        intercept = -1024
    img += np.int16(intercept)
    f = img.astype(np.float64)
    mn, mx = f.min(), f.max()
    if mx == mn:
        return np.zeros(img.shape, dtype=np.uint8)
    return np.rint((f - mn) / (mx - mn) * 255.0).astype(np.uint8)


def dhash(image, hash_size=8):
    image = image.convert("L").resize((hash_size + 1, hash_size), Image.LANCZOS)
    px = np.asarray(image)
    diff = (px[:, 1:] > px[:, :-1]).flatten()
    value = 0
    for bit in diff:
        value = (value << 1) | int(bit)
    return value


def main():
    t0 = time.perf_counter()
    ap = argparse.ArgumentParser(description="published Hash-6 pipeline (timing baseline)")
    ap.add_argument("input_dir")
    ap.add_argument("--tmp", default=None, help="folder for the intermediate PNG files")
    args = ap.parse_args()

    if args.tmp:
        png_dir = args.tmp
        os.makedirs(png_dir, exist_ok=True)
        remove_png_dir = False
    else:
        png_dir = tempfile.mkdtemp(prefix="hash6-png-")
        remove_png_dir = True

    files = []
    for root, dirs, names in os.walk(args.input_dir):
        for name in names:
            files.append(os.path.join(root, name))

    series = {}  # key -> list of (relpath, hash)
    skipped = 0
    warnings.simplefilter("ignore")
    for i, path in enumerate(files):
        try:
            ds = pydicom.dcmread(path)
            if "PixelData" not in ds:
                skipped += 1
                continue
            u8 = preprocess(ds)
            if u8.ndim != 2:
                skipped += 1
                continue
        except Exception:
            skipped += 1
            continue
        png = os.path.join(png_dir, "%06d.png" % i)
        Image.fromarray(u8, mode="L").save(png, **PNG_OPTIONS)
        with Image.open(png) as im:
            h = dhash(im)
        rel = os.path.relpath(path, args.input_dir).replace(os.sep, "/")
        uid = str(ds.get("SeriesInstanceUID", "") or "").strip()
        if uid:
            key = uid
        else:
            folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
            key = "%s|%s" % (folder, str(ds.get("StudyInstanceUID", "") or "").strip())
        series.setdefault(key, []).append((rel, h))

    slices = 0
    kept = 0
    for key, members in series.items():
        members.sort()
        remaining = [h for _, h in members]
        slices += len(remaining)
        while remaining:
            ref = remaining.pop(0)
            kept += 1
            remaining = [h for h in remaining if bin(h ^ ref).count("1") > THRESHOLD]

    seconds = time.perf_counter() - t0
    if remove_png_dir:
        shutil.rmtree(png_dir, ignore_errors=True)

    rate = slices / seconds if seconds > 0 else 0.0
    print(json.dumps({"slices": slices, "kept": kept, "skipped": skipped,
                      "seconds": round(seconds, 4), "slices_per_s": round(rate, 2)}))
    print("published Hash-6: %d slices (%d skipped) in %d series, %d kept, %.3f s, %.1f slices/s"
          % (slices, skipped, len(series), kept, seconds, rate), file=sys.stderr)


if __name__ == "__main__":
    main()
