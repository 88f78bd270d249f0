#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_ssim_mi_golden.py -- scikit-image / scikit-learn oracle for the SSIM and
# mutual-information comparisons of `--strategy ssim` and `--strategy mi`
#
# What this is the oracle for
#   lessismore.signature.Ssim and MutualInformation re-implement
#     skimage.metrics.structural_similarity(a, b, gaussian_weights=True,
#         sigma=1.5, use_sample_covariance=False, data_range=255)
#     sklearn.metrics.mutual_info_score(bins_a, bins_b)
#     sklearn.metrics.normalized_mutual_info_score(bins_a, bins_b)
#   with bins_x = x.ravel() * BINS // 256 for 8-bit images x. This script
#   computes them with the libraries themselves (Debian's python3-skimage 0.19,
#   python3-sklearn 1.2) on real CT slice pairs.
#
# Which pixels
#   The tool's own 8-bit slices, as `lessismore reduce --export png` writes them:
#   the metrics are under test here, not the preprocessing (the dHash and
#   preprocessing goldens check that), and reading the tool's PNGs makes both
#   sides compare the very same pixels, including slices pydicom cannot decode
#   (JPEG 2000). Every row records a SHA-256 of the exact pixels compared, so the
#   Java test proves it re-derived the same images (SliceDecoder for native size,
#   plus PilLanczos for the compare size) before it compares the metrics.
#   At the compare size the PNG is resized with PIL's Image.LANCZOS, the
#   reference that PilLanczos reproduces.
#
# Pairs (slice indices are positions in a volume's anatomical order, as in the
# manifest): consecutive slices in every volume, slices far apart in a volume,
# slices of different volumes, and one slice with itself; each at native size
# (512) and at every --size.
#
# Output: java/src/test/resources/golden/ssim-mi-shared-ct.csv, columns
#   kind,size,path_a,frame_a,path_b,frame_b,sha_a,sha_b,ssim,mi_256,nmi_256,mi_32,nmi_32
#   size = side of the compared images ("native" = unresized); path_* relative
#   to the CT folder, frame_* = frame in the file; sha_* = first 16 hex digits of
#   SHA-256 of the compared width*height bytes; metrics as Python repr (full
#   double precision).
#
# How to run (from the repository root; Debian's python3, not a bare pyenv):
#   ./lessismore reduce ../shared/data/ct --out /tmp/ct-png --strategy all --export png
#   /usr/bin/python3 scripts/golden/make_ssim_mi_golden.py /tmp/ct-png [--size 128 ...]
# -----------------------------------------------------------------------------
import argparse
import csv
import hashlib
import os
import sys

import numpy as np
from PIL import Image
from skimage.metrics import structural_similarity
from sklearn.metrics import mutual_info_score, normalized_mutual_info_score

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "golden", "ssim-mi-shared-ct.csv")
BIN_COUNTS = (256, 32)

# (kind, (volume folder, slice index), (volume folder, slice index)); a negative
# index counts from the end of the volume.
PAIRS = [
    ("consecutive", ("chest-phase00", 0), ("chest-phase00", 1)),
    ("consecutive", ("chest-phase00", 50), ("chest-phase00", 51)),
    ("consecutive", ("chest-phase00", 100), ("chest-phase00", 101)),
    ("consecutive", ("chest-phase00", -2), ("chest-phase00", -1)),
    ("consecutive", ("ge-head-tilt", 3), ("ge-head-tilt", 4)),
    ("consecutive", ("ge-head-tilt", 13), ("ge-head-tilt", 14)),
    ("consecutive", ("ge-head-tilt", 25), ("ge-head-tilt", 26)),
    ("consecutive", ("philips-phantom-a", 0), ("philips-phantom-a", 1)),
    ("consecutive", ("philips-phantom-a", 14), ("philips-phantom-a", 15)),
    ("consecutive", ("philips-phantom-b", 10), ("philips-phantom-b", 11)),
    ("consecutive", ("philips-phantom-b", 40), ("philips-phantom-b", 41)),
    ("consecutive", ("totalseg-j2k", 5), ("totalseg-j2k", 6)),
    ("far", ("chest-phase00", 10), ("chest-phase00", 120)),
    ("far", ("ge-head-tilt", 2), ("ge-head-tilt", 25)),
    ("far", ("philips-phantom-a", 0), ("philips-phantom-a", -1)),
    ("far", ("philips-phantom-b", 5), ("philips-phantom-b", 50)),
    ("far", ("totalseg-j2k", 0), ("totalseg-j2k", -1)),
    ("cross", ("chest-phase00", 70), ("ge-head-tilt", 14)),
    ("cross", ("chest-phase00", 70), ("totalseg-j2k", 10)),
    ("cross", ("ge-head-tilt", 14), ("philips-phantom-a", 14)),
    ("cross", ("philips-phantom-a", 14), ("philips-phantom-b", 27)),
    ("self", ("ge-head-tilt", 14), ("ge-head-tilt", 14)),
]


def read_manifest(export_dir):
    """{volume folder name: [(path, frame, png path) in slice-index order]}."""
    volumes = {}
    with open(os.path.join(export_dir, "manifest.csv"), newline="") as fh:
        for row in csv.DictReader(fh):
            if row["decision"] != "kept":
                continue
            folder = row["path"].split("/", 1)[0]
            png = os.path.join(export_dir, "images", row["volume"], "%04d.png" % int(row["slice_index"]))
            frame = int(row["frame"]) if row["frame"] else 0
            volumes.setdefault(folder, []).append((int(row["slice_index"]), row["path"], frame, png))
    return {k: [t[1:] for t in sorted(v)] for k, v in volumes.items()}


def load(png, size):
    im = Image.open(png)
    if im.mode != "L":
        sys.exit("%s: expected an 8-bit greyscale PNG, got mode %s" % (png, im.mode))
    if size is not None:
        im = im.resize((size, size), Image.LANCZOS)
    return np.asarray(im, dtype=np.uint8)


def sha(u8):
    return hashlib.sha256(np.ascontiguousarray(u8).tobytes()).hexdigest()[:16]


def metrics(a, b):
    out = [repr(float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                            use_sample_covariance=False, data_range=255)))]
    for bins in BIN_COUNTS:
        la = (a.ravel().astype(np.int64) * bins) // 256
        lb = (b.ravel().astype(np.int64) * bins) // 256
        out.append(repr(float(mutual_info_score(la, lb))))
        out.append(repr(float(normalized_mutual_info_score(la, lb))))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("export_dir", help="output folder of `lessismore reduce --strategy all --export png`")
    ap.add_argument("--size", type=int, action="append", help="compare size(s) besides native; default 128")
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    sizes = [None] + (args.size or [128])
    volumes = read_manifest(args.export_dir)

    rows = []
    for size in sizes:
        for kind, (va, ia), (vb, ib) in PAIRS:
            pa, fa, pnga = volumes[va][ia]
            pb, fb, pngb = volumes[vb][ib]
            a, b = load(pnga, size), load(pngb, size)
            rows.append([kind, "native" if size is None else str(size), pa, fa, pb, fb, sha(a), sha(b)]
                        + metrics(a, b))

    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["kind", "size", "path_a", "frame_a", "path_b", "frame_b", "sha_a", "sha_b",
                    "ssim"] + ["%s_%d" % (m, n) for n in BIN_COUNTS for m in ("mi", "nmi")])
        w.writerows(rows)
    print("%d pairs -> %s" % (len(rows), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
