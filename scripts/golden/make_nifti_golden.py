#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_nifti_golden.py -- independent oracle for lessismore.io.nifti
#
# What this is the oracle for
#   The Java NiftiReader/NiftiVolume turn a NIfTI volume into a stack of axial
#   slices.  This script computes, with nibabel + numpy, what every slice must
#   contain, so the Java reader can be checked value for value.
#
# Convention (the one documented in NiftiVolume):
#   * affine: the sform when sform_code > 0, else the qform when qform_code > 0
#     (both as nibabel computes them), else diag(pixdim[1:4]) with a zero origin
#     (the NIfTI spec's "method 1"; nibabel's own fallback, Analyze's centred and
#     x-flipped base affine, is deliberately not used).
#   * slice axis: the voxel axis a whose affine column has the largest
#     |cosine| with +z (superior, RAS+); ties go to the later axis.
#   * slice order: by world z of the planes, ascending (slice 0 most inferior):
#     reversed stored order when affine[2, a] < 0.
#   * inside a slice: the two remaining voxel axes u < v in stored order;
#     rows run along v, columns along u (row-major, column fastest).
#   * values: img.get_fdata() (float64, nibabel's scl_slope/scl_inter rules);
#     4D+ files: the first 3D volume only.
#   The axis choice is also cross-checked against nibabel's own
#   io_orientation (nib_axcodes column) and the script stops if they disagree.
#
# Also writes small fixtures (NIfTI-1/2, both byte orders, every supported
# datatype, scaling, qform-only, pixdim-only, 4D, .hdr/.img pair, header
# extension) with nibabel, patching scl_slope/scl_inter into the written
# header bytes where a test needs specific values.
#
# Outputs (repository-relative):
#   java/src/test/resources/fixtures/nifti/*           the fixtures
#   java/src/test/resources/golden/nifti-shared-volumes.csv / -slices.csv
#   java/src/test/resources/golden/nifti-fixtures-volumes.csv / -slices.csv
# volumes: file,version,endian,dtype,nx,ny,nz,affine_source,slice_axis,
#          reversed,width,height,slices,normal_x,normal_y,normal_z,nib_axcodes
# slices:  file,slice,stored_index,pos_x,pos_y,pos_z,sum,min,max,sha256
#   pos = world position of the slice's first voxel (row 0, column 0);
#   normal = unit slice-axis direction signed to point superior;
#   sum/min/max of the float64 values; sha256 of the slice as little-endian
#   float32 bytes in row-major order.  Floats are Python repr (round-trip).
#
# How to run (from the repository root; Debian's python3 with nibabel:
#   apt-get install -y python3-nibabel):
#   /usr/bin/python3 scripts/golden/make_nifti_golden.py [NIFTI_DIR]
#   NIFTI_DIR defaults to ../shared/data/nifti relative to the repository root.
# -----------------------------------------------------------------------------
import csv
import glob
import gzip
import hashlib
import math
import os
import shutil
import struct
import sys
import tempfile

import nibabel as nib
import numpy as np

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_SHARED = os.path.join(REPO_ROOT, "..", "shared", "data", "nifti")
RES = os.path.join(REPO_ROOT, "java", "src", "test", "resources")
FIXTURES = os.path.join(RES, "fixtures", "nifti")
GOLDEN = os.path.join(RES, "golden")

VOLUME_COLUMNS = ["file", "version", "endian", "dtype", "nx", "ny", "nz", "affine_source", "slice_axis",
                  "reversed", "width", "height", "slices", "normal_x", "normal_y", "normal_z", "nib_axcodes"]
SLICE_COLUMNS = ["file", "slice", "stored_index", "pos_x", "pos_y", "pos_z", "sum", "min", "max", "sha256"]


def our_affine(img):
    hdr = img.header
    if int(hdr["sform_code"]) > 0:
        return hdr.get_sform(), "sform"
    if int(hdr["qform_code"]) > 0:
        return hdr.get_qform(), "qform"
    zooms = [float(z) for z in hdr["pixdim"][1:4]]
    aff = np.diag(zooms + [1.0])
    return aff, "pixdim"


def describe(label, path):
    img = nib.load(path)
    hdr = img.header
    aff, source = our_affine(img)
    aff = np.asarray(aff, dtype=np.float64)
    data = np.asanyarray(img.get_fdata(dtype=np.float64))
    if data.ndim > 3:
        data = data.reshape(data.shape[:3] + (-1,))[..., 0]
    while data.ndim < 3:
        data = data[..., np.newaxis]
    cols = aff[:3, :3]
    norms = np.sqrt((cols * cols).sum(axis=0))
    cosz = np.abs(cols[2, :]) / norms
    axis = 0
    for a in range(3):
        if cosz[a] >= cosz[axis]:
            axis = a
    reversed_ = bool(cols[2, axis] < 0)
    normal = cols[:, axis] / norms[axis] * (-1.0 if reversed_ else 1.0)
    axcodes = "".join(nib.aff2axcodes(aff))
    ornt = nib.io_orientation(aff)
    nib_axis = [i for i in range(3) if int(ornt[i, 0]) == 2]
    if nib_axis != [axis]:
        sys.exit(f"{label}: our slice axis {axis} differs from nibabel's io_orientation {ornt.tolist()}")
    u, v = [a for a in range(3) if a != axis]
    n = data.shape[axis]
    version = 2 if isinstance(img, (nib.Nifti2Image, nib.Nifti2Pair)) else 1
    endian = "big" if hdr.endianness == ">" else "little"
    vol = {
        "file": label, "version": version, "endian": endian, "dtype": str(hdr.get_data_dtype().newbyteorder("=")),
        "nx": data.shape[0], "ny": data.shape[1], "nz": data.shape[2], "affine_source": source,
        "slice_axis": axis, "reversed": "true" if reversed_ else "false", "width": data.shape[u],
        "height": data.shape[v], "slices": n, "normal_x": repr(float(normal[0])),
        "normal_y": repr(float(normal[1])), "normal_z": repr(float(normal[2])), "nib_axcodes": axcodes,
    }
    rows = []
    for k in range(n):
        s = n - 1 - k if reversed_ else k
        plane = np.take(data, s, axis=axis).T  # rows along v, columns along u
        vox = np.zeros(4)
        vox[axis] = s
        vox[3] = 1
        pos = aff @ vox
        rows.append({
            "file": label, "slice": k, "stored_index": s,
            "pos_x": repr(float(pos[0])), "pos_y": repr(float(pos[1])), "pos_z": repr(float(pos[2])),
            "sum": repr(float(plane.sum())), "min": repr(float(plane.min())), "max": repr(float(plane.max())),
            "sha256": hashlib.sha256(np.ascontiguousarray(plane).astype("<f4").tobytes()).hexdigest(),
        })
    return vol, rows


def patch_scaling(path, slope, inter):
    """Writes scl_slope/scl_inter into an uncompressed header in its own byte order."""
    with open(path, "r+b") as f:
        head = f.read(4)
        le = struct.unpack("<i", head)[0]
        be = struct.unpack(">i", head)[0]
        order = "<" if le in (348, 540) else ">"
        size = le if order == "<" else be
        if size == 348:
            f.seek(112)
            f.write(struct.pack(order + "ff", slope, inter))
        else:
            f.seek(176)
            f.write(struct.pack(order + "dd", slope, inter))


def gzip_to(src, dst):
    with open(src, "rb") as fin, open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            shutil.copyfileobj(fin, gz)


def rot(axis, deg):
    t = math.radians(deg)
    c, s = math.cos(t), math.sin(t)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def affine(m3, origin):
    a = np.eye(4)
    a[:3, :3] = m3
    a[:3, 3] = origin
    return a


def make_fixtures(tmp):
    """Returns the list of fixture names written (the file a test opens)."""
    rng = np.random.default_rng(20241021)
    os.makedirs(FIXTURES, exist_ok=True)
    for old in glob.glob(os.path.join(FIXTURES, "*")):
        os.remove(old)
    made = []

    def save(name, img, slope_inter=None, codes=None):
        stem = name[:-3] if name.endswith(".gz") else name
        img.set_data_dtype(img.dataobj.dtype)  # a given header would impose its own (float32) type
        tmp_path = os.path.join(tmp, stem)
        if codes is not None:
            qcode, scode = codes
            img.header["qform_code"] = qcode
            img.header["sform_code"] = scode
        nib.save(img, tmp_path)
        if slope_inter is not None:
            patch_scaling(tmp_path, *slope_inter)
        if name.endswith(".gz"):
            gzip_to(tmp_path, os.path.join(FIXTURES, name))
        else:
            shutil.copyfile(tmp_path, os.path.join(FIXTURES, name))
        made.append(name)

    def ints(shape, lo, hi, dtype):
        return rng.integers(lo, hi, size=shape, endpoint=True).astype(dtype)

    ras = affine(np.diag([0.7, 0.8, 2.5]), [-90.25, -120.5, 33.0])
    # 1. NIfTI-1 LE int16 with slope/intercept, sform.
    save("n1_int16_scaled.nii", nib.Nifti1Image(ints((7, 6, 5), -2000, 3000, np.int16), ras),
         slope_inter=(2.5, -1024.0))
    # 2. NIfTI-1 big-endian int16, LPS-like sform (x, y flipped), gzipped.
    hdr = nib.Nifti1Header(endianness=">")
    lps = affine(np.diag([-0.7, -0.7, 1.25]), [120.0, 130.0, -400.0])
    save("n1_be_int16_lps.nii.gz", nib.Nifti1Image(ints((6, 5, 4), -1024, 2000, np.int16), lps, hdr),
         slope_inter=(1.0, -1024.0))
    # 3. NIfTI-2 LE float32, coronal-stored: voxel j points inferior -> slice axis j, reversed.
    cor = affine(np.array([[0.9, 0, 0], [0, 0, 1.1], [0, -2.0, 0]]), [-50.0, -60.0, 70.0])
    f32 = rng.normal(0, 300, size=(5, 6, 4)).astype(np.float32)
    f32[0, 0, 0] = -0.0
    save("n2_float32_coronal.nii", nib.Nifti2Image(f32, cor))
    # 4. NIfTI-2 big-endian float64, slope 2 / intercept 0 (−0.0 must stay −0.0), oblique qform only.
    hdr = nib.Nifti2Header(endianness=">")
    obl = affine(rot("y", 20) @ rot("x", -15) @ np.diag([0.6, 0.6, 3.0]), [10.0, -20.0, 30.0])
    f64 = rng.normal(-500, 400, size=(4, 5, 6))
    f64[1, 1, 1] = -0.0
    img = nib.Nifti2Image(f64, None, hdr)
    img.set_qform(obl, code=1)
    img.set_sform(None, code=0)
    save("n2_be_float64_qform.nii.gz", img, slope_inter=(2.0, 0.0), codes=(1, 0))
    # 5. NIfTI-1 qform only, sagittal: voxel i along -z (reversed), det < 0 (qfac -1).
    sag = affine(np.array([[0, 0, -1.1], [0, -0.9, 0], [-1.5, 0, 0]]), [5.0, 100.0, 200.0])
    img = nib.Nifti1Image(ints((6, 4, 5), -1000, 1500, np.int16), None)
    img.set_qform(sag, code=1)
    img.set_sform(None, code=0)
    save("n1_qform_sagittal.nii.gz", img, codes=(1, 0))
    # 6. NIfTI-1 uint8, no qform/sform (pixdim only).
    img = nib.Nifti1Image(ints((5, 4, 3), 0, 255, np.uint8), None)
    img.header.set_zooms((0.5, 0.75, 2.0))
    save("n1_uint8_pixdim.nii", img, codes=(0, 0))
    # 7. More datatypes.
    save("n1_int8.nii.gz", nib.Nifti1Image(ints((4, 3, 3), -128, 127, np.int8), ras))
    save("n1_uint16_scaled.nii.gz", nib.Nifti1Image(ints((4, 5, 3), 0, 65535, np.uint16), ras),
         slope_inter=(0.5, -1000.0))
    big = ints((4, 3, 3), 0, 2 ** 32 - 1, np.uint32)
    big[0, 0, 0] = 2 ** 32 - 1
    big[1, 0, 0] = 2 ** 24 + 1
    save("n1_uint32.nii.gz", nib.Nifti1Image(big, ras))
    i32 = ints((3, 4, 3), -2 ** 31, 2 ** 31 - 1, np.int32)
    i32[0, 0, 0] = -2 ** 31
    save("n1_int32.nii", nib.Nifti1Image(i32, ras))
    # 8. 4D: only the first volume is read.
    save("n1_4d_int16.nii.gz", nib.Nifti1Image(ints((5, 4, 3, 2), -1000, 1000, np.int16), ras))
    # 9. .hdr/.img pair (magic ni1); the test opens the .hdr.
    tmp_hdr = os.path.join(tmp, "pair_int16.hdr")
    nib.save(nib.Nifti1Pair(ints((4, 4, 3), -500, 500, np.int16), ras), tmp_hdr)
    patch_scaling(tmp_hdr, 1.5, 10.0)
    for ext in (".hdr", ".img"):
        shutil.copyfile(os.path.join(tmp, "pair_int16" + ext), os.path.join(FIXTURES, "pair_int16" + ext))
    made.append("pair_int16.hdr")
    # 10. slope 0 with a non-zero intercept: no scaling at all (spec).
    save("n1_slope0.nii", nib.Nifti1Image(ints((3, 3, 4), -100, 100, np.int16), ras), slope_inter=(0.0, 5.0))
    # 11. Oblique sform (30 degrees about x): k still closest to superior.
    tilt = affine(rot("x", 30) @ np.diag([0.8, 0.8, 2.0]), [-100.0, -80.0, -60.0])
    save("n1_oblique_sform.nii.gz", nib.Nifti1Image(ints((5, 5, 4), -1000, 1000, np.int16), tilt))
    # 12. Header extension between the header and the data (vox_offset > 352).
    img = nib.Nifti1Image(ints((4, 3, 3), -1000, 1000, np.int16), ras)
    img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"lessismore test extension " * 5))
    save("n1_extension.nii", img)
    return made


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SHARED
    os.makedirs(GOLDEN, exist_ok=True)
    vols, slices = [], []
    for path in sorted(glob.glob(os.path.join(shared, "*.nii.gz"))):
        v, s = describe(os.path.basename(path), path)
        vols.append(v)
        slices.extend(s)
    if not vols:
        sys.exit(f"no .nii.gz under {shared}")
    write_csv(os.path.join(GOLDEN, "nifti-shared-volumes.csv"), VOLUME_COLUMNS, vols)
    write_csv(os.path.join(GOLDEN, "nifti-shared-slices.csv"), SLICE_COLUMNS, slices)
    with tempfile.TemporaryDirectory() as tmp:
        names = make_fixtures(tmp)
    vols, slices = [], []
    for name in names:
        v, s = describe(name, os.path.join(FIXTURES, name))
        vols.append(v)
        slices.extend(s)
    write_csv(os.path.join(GOLDEN, "nifti-fixtures-volumes.csv"), VOLUME_COLUMNS, vols)
    write_csv(os.path.join(GOLDEN, "nifti-fixtures-slices.csv"), SLICE_COLUMNS, slices)
    for row in vols:
        print(row["file"], row["version"], row["endian"], row["dtype"], row["affine_source"],
              "axis", row["slice_axis"], "reversed" if row["reversed"] == "true" else "", row["nib_axcodes"])


if __name__ == "__main__":
    main()
