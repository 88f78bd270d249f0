#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_dhash_golden.py -- independent oracle for the published "Hash-6" method
#
# What this is the oracle for
#   The Java tool (lessismore, `--strategy hash`) re-implements the slice
#   reduction of Wolf et al. 2024, "Hash-6": every CT slice is converted to an
#   8-bit image, hashed with imagehash's dhash (hash_size=8, 64 bits), and within
#   each series a greedy pass with Hamming threshold 6 drops near-duplicates.
#   This script computes the same thing with the Python stack the paper used
#   (pydicom + numpy + PIL), written from the definitions, so the Java code can
#   be checked bit for bit against it on the real data in shared/data/ct.
#   imagehash itself is not installed here; its dhash (version 4.3) is
#   re-implemented below from its definition.
#
# Steps, per file (every file under the CT folder, recursively)
#   1. pydicom.dcmread; a file that is not DICOM, has no PixelData, or whose
#      pixels pydicom cannot decode is written as status "skipped" with a reason.
#   2. Preprocess (the published scripts' order and integer types):
#        img = pixel_array.astype(int16); img[img == -2000] = 0
#        slope = RescaleSlope or 1;  if slope != 1:
#            img = (slope * img.astype(float64)).astype(int16)
#        intercept = RescaleIntercept or -1024;  img += int16(intercept)  (wraps)
#        min-max to 0..255 in float64, np.rint (half to even), uint8; a constant
#        image becomes all zeros.
#   3. dhash: PIL "L" image resized to 9x8 with Image.LANCZOS; bit = px[:,1:] >
#      px[:,:-1]; 64 bits row-major, first bit most significant, 16 hex digits.
#   4. Series key = SeriesInstanceUID if non-empty, else
#      "<folder>|<StudyInstanceUID>" where <folder> is the file's parent folder
#      relative to the CT folder ('/' separators).
#   5. Within a series, slices in Python sorted() order of their relative paths;
#      greedy: the first remaining slice is kept as reference, every remaining
#      slice with Hamming distance <= 6 to it is dropped; repeat until empty.
#
# Output: java/src/test/resources/golden/dhash-shared-ct.csv, columns
#   relpath,series_key,status,hash,kept_filename_order,reason
#   (rows sorted by relpath; series_key/hash/kept empty for skipped rows,
#    reason empty for ok rows).
#
# How to run (from the repository root; needs Debian's python3 with pydicom,
# numpy and PIL -- not the pyenv python3 that may be first on PATH):
#   /usr/bin/python3 scripts/golden/make_dhash_golden.py [CT_DIR] [--out CSV]
#   CT_DIR defaults to ../shared/data/ct relative to the repository root.
# -----------------------------------------------------------------------------
import argparse
import csv
import os
import sys
import warnings

import numpy as np
import pydicom
from PIL import Image

THRESHOLD = 6
HASH_SIZE = 8

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_CT = os.path.join(REPO_ROOT, "..", "shared", "data", "ct")
DEFAULT_OUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "golden", "dhash-shared-ct.csv")


def to_uint8(ds):
    """The published preprocessing: stored values -> HU (int16) -> min-max uint8."""
    img = ds.pixel_array.astype(np.int16)
    img[img == -2000] = 0
    slope = ds.get("RescaleSlope")
    slope = float(slope) if slope is not None and slope != "" else 1.0
    if slope != 1:
        img = (slope * img.astype(np.float64)).astype(np.int16)
    intercept = ds.get("RescaleIntercept")
    if intercept is None or intercept == "":
        intercept = -1024
    img += np.int16(intercept)  # int16 arithmetic, wraps like the original
    f = img.astype(np.float64)
    mn, mx = f.min(), f.max()
    if mx == mn:
        return np.zeros(img.shape, dtype=np.uint8)
    return np.rint((f - mn) / (mx - mn) * 255.0).astype(np.uint8)


def dhash_hex(u8):
    """imagehash 4.3 dhash(hash_size=8), as a 16-digit lowercase hex string."""
    im = Image.fromarray(u8, mode="L").resize((HASH_SIZE + 1, HASH_SIZE), Image.LANCZOS)
    px = np.asarray(im)
    diff = px[:, 1:] > px[:, :-1]
    value = 0
    for bit in diff.flatten():
        value = (value << 1) | int(bit)
    return "%016x" % value


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def greedy_keep(hashes):
    """Published greedy: returns a list of booleans (kept) in the given order."""
    kept = [False] * len(hashes)
    remaining = list(range(len(hashes)))
    while remaining:
        ref = remaining.pop(0)
        kept[ref] = True
        remaining = [i for i in remaining if hamming(hashes[i], hashes[ref]) > THRESHOLD]
    return kept


def read_slice(path):
    """Returns (dataset, uint8 image, None) or (dataset or None, None, skip reason)."""
    try:
        ds = pydicom.dcmread(path)
    except Exception as e:  # not DICOM / unreadable
        return None, None, "unreadable: %s" % type(e).__name__
    if "PixelData" not in ds:
        return ds, None, "no PixelData"
    try:
        return ds, to_uint8(ds), None
    except Exception as e:
        return ds, None, "pixel decode failed: %s" % type(e).__name__


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("ct_dir", nargs="?", default=DEFAULT_CT)
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    ct_dir = os.path.abspath(args.ct_dir)
    if not os.path.isdir(ct_dir):
        sys.exit("no such folder: %s" % ct_dir)

    relpaths = []
    for root, dirs, files in os.walk(ct_dir):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), ct_dir)
            relpaths.append(rel.replace(os.sep, "/"))
    relpaths.sort()

    rows = {}
    series = {}  # key -> list of relpaths (already in sorted order)
    for rel in relpaths:
        path = os.path.join(ct_dir, *rel.split("/"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds, u8, reason = read_slice(path)
        for w in caught:
            print("warning: %s: %s" % (rel, w.message), file=sys.stderr)
        if reason is not None:
            rows[rel] = dict(status="skipped", reason=reason)
            continue
        if u8.ndim != 2:
            rows[rel] = dict(status="skipped", reason="not a single 2D grayscale frame")
            continue
        uid = str(ds.get("SeriesInstanceUID", "") or "").strip()
        if uid:
            key = uid
        else:
            folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
            key = "%s|%s" % (folder, str(ds.get("StudyInstanceUID", "") or "").strip())
        rows[rel] = dict(status="ok", series_key=key, hash=dhash_hex(u8))
        series.setdefault(key, []).append(rel)

    for key, members in series.items():
        for rel, k in zip(members, greedy_keep([rows[r]["hash"] for r in members])):
            rows[rel]["kept"] = "1" if k else "0"

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["relpath", "series_key", "status", "hash", "kept_filename_order", "reason"])
        for rel in relpaths:
            r = rows[rel]
            w.writerow([rel, r.get("series_key", ""), r["status"], r.get("hash", ""),
                        r.get("kept", ""), r.get("reason", "")])

    n_ok = sum(1 for r in rows.values() if r["status"] == "ok")
    print("%d ok, %d skipped -> %s" % (n_ok, len(rows) - n_ok, args.out), file=sys.stderr)
    for key, members in sorted(series.items()):
        n_kept = sum(1 for r in members if rows[r]["kept"] == "1")
        print("  %s: %d slices, %d kept" % (key, len(members), n_kept), file=sys.stderr)


if __name__ == "__main__":
    main()
