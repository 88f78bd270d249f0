#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_pydicom_testfiles_golden.py -- what pydicom makes of its own test files
#
# Oracle for lessismore's DICOM reader on the DICOM test files that Debian's
# python3-pydicom ships (pydicom/data/test_files, written by many tools and
# full of edge cases). For every file: does pydicom decode its pixel data, and
# if so, a SHA-256 of the decoded array (pixel_array as int64 little endian,
# C order: frames, rows, columns, samples) plus its shape; if not, pydicom's
# reason. The Java test (PydicomTestFilesTest) decodes the same files and
# compares: every file pydicom decodes that we decode must give the same hash;
# every file pydicom rejects we must reject too.
#
# Output: java/src/test/resources/golden/pydicom-test-files.csv with columns
#   file,status,frames,rows,columns,samples,bits_allocated,sha256,reason
# Run: /usr/bin/python3 scripts/golden/make_pydicom_testfiles_golden.py
# -----------------------------------------------------------------------------
import csv
import hashlib
import os
import sys
import warnings

import numpy as np
import pydicom

warnings.simplefilter("ignore")
src = os.path.join(os.path.dirname(pydicom.__file__), "data", "test_files")
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
out = os.path.join(root, "java/src/test/resources/golden/pydicom-test-files.csv")

# Lossy JPEG 2000 decoders legitimately differ by rounding: for those files the array itself is kept
# (int32 little endian, gzip), so the test can check a tolerance instead of a hash.
lossy_dir = os.path.join(root, "java/src/test/resources/golden/pydicom-lossy")
os.makedirs(lossy_dir, exist_ok=True)
rows = []
for name in sorted(os.listdir(src)):
    path = os.path.join(src, name)
    if not os.path.isfile(path):
        continue
    row = {"file": name, "status": "", "frames": "", "rows": "", "columns": "", "samples": "",
           "bits_allocated": "", "sha256": "", "reason": ""}
    try:
        ds = pydicom.dcmread(path, force=True)
        if "PixelData" not in ds:
            raise ValueError("no pixel data")
        arr = ds.pixel_array
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        spp = int(ds.get("SamplesPerPixel", 1))
        shaped = arr.reshape(frames, int(ds.Rows), int(ds.Columns), spp)
        row.update(status="ok", frames=frames, rows=int(ds.Rows), columns=int(ds.Columns), samples=spp,
                   bits_allocated=int(ds.BitsAllocated),
                   sha256=hashlib.sha256(shaped.astype("<i8").tobytes()).hexdigest())
        row["reason"] = str(ds.file_meta.get("TransferSyntaxUID", "")) + " " + str(ds.get("PhotometricInterpretation", ""))
        if str(ds.file_meta.get("TransferSyntaxUID", "")) == "1.2.840.10008.1.2.4.91":
            import gzip
            with gzip.GzipFile(os.path.join(lossy_dir, name + ".i32.gz"), "wb", compresslevel=9, mtime=0) as fh:
                fh.write(shaped.astype("<i4").tobytes())
    except Exception as e:  # the reason pydicom gives
        row.update(status="rejected", reason=(type(e).__name__ + ": " + str(e)).splitlines()[0][:200])
    rows.append(row)

with open(out, "w", newline="") as fh:
    w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
print("%d files, %d decoded by pydicom -> %s" % (len(rows), sum(r["status"] == "ok" for r in rows), out),
      file=sys.stderr)
