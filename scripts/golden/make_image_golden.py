#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_image_golden.py -- oracle for lessismore.io.images.ImageSliceReader
#
# What this is the oracle for
#   Slices given as PNG/JPEG/TIFF files are turned into one greyscale integer
#   image.  Colour is converted exactly like PIL's Image.convert("L"), which
#   for 8-bit RGB/RGBA/P in Pillow 9.4 is the ITU-R 601-2 luma in 16-bit fixed
#   point:  L = (19595*R + 38470*G + 7471*B + 0x8000) >> 16   (alpha ignored,
#   P through its palette).  This script first verifies that formula against
#   the installed PIL on all 2^24 RGB colours (and stops if it does not hold),
#   then writes tiny fixtures and PIL's own output for them.
#
# Fixtures (java/src/test/resources/fixtures/images/):
#   <name>.<png|jpg|tif>   input image
#   <name>.expected.raw     expected grey values, row-major: uint8 for 8-bit
#                           results, uint16 little-endian for 16-bit, int16
#                           little-endian for signed 16-bit
#   images.csv              name,expected_bits,signed,colour,width,height,
#                           max_abs_diff,source
#     max_abs_diff: largest allowed |Java - expected|; 0 everywhere (bit-exact),
#     including JPEG, where the JDK's decoder and PIL's libjpeg-turbo agreed on
#     every pixel of the baseline 4:4:4/4:2:2/4:2:0 files tried; the column
#     exists so that a JPEG decoder difference could be allowed explicitly
#     source: "PIL convert(L)" (8-bit results) or, for 16-bit colour (which
#     PIL 9.4 cannot hold), "luma16": the same formula on 16-bit samples,
#     (19595*R + 38470*G + 7471*B + 0x8000) >> 16 in 64-bit integers; for
#     16-bit grey: the stored samples.
#   notimage.png (text), truncated.png (PNG cut in half) for the skip tests.
#
# How to run (from the repository root, with Debian's python3: PIL 9.4, numpy):
#   /usr/bin/python3 scripts/golden/make_image_golden.py
# -----------------------------------------------------------------------------
import csv
import glob
import os
import struct
import sys
import zlib

import numpy as np
import PIL
from PIL import Image

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "fixtures", "images")
SEED = 20241022


def luma(r, g, b):
    r, g, b = (np.asarray(x, dtype=np.int64) for x in (r, g, b))
    return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16


def verify_formula():
    a = np.arange(1 << 24, dtype=np.uint32)
    rgb = np.stack([(a >> 16) & 255, (a >> 8) & 255, a & 255], -1).astype(np.uint8).reshape(4096, 4096, 3)
    got = np.asarray(Image.fromarray(rgb, "RGB").convert("L")).astype(np.int64)
    want = luma(rgb[..., 0], rgb[..., 1], rgb[..., 2])
    bad = int((got != want).sum())
    if bad:
        sys.exit(f"PIL {PIL.__version__}: formula differs on {bad} of 2^24 colours")
    naive = (rgb[..., 0].astype(np.int64) * 299 + rgb[..., 1].astype(np.int64) * 587
             + rgb[..., 2].astype(np.int64) * 114) // 1000
    tricky = rgb.reshape(-1, 3)[(naive != want).reshape(-1)]
    print(f"PIL {PIL.__version__}: luma formula holds for all 2^24 RGB colours "
          f"({len(tricky)} colours differ from a naive 299/587/114 division)")
    return tricky


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png16_rgb(path, arr):
    """A 16-bit RGB PNG (colour type 2, depth 16), filter 0 on every row."""
    h, w, _ = arr.shape
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def write_tiff_int16(path, arr):
    """Baseline little-endian TIFF, one strip, 16-bit signed grey (SampleFormat 2)."""
    h, w = arr.shape
    pixels = arr.astype("<i2").tobytes()
    entries = [  # tag, type, count, value
        (256, 3, 1, w), (257, 3, 1, h), (258, 3, 1, 16), (259, 3, 1, 1), (262, 3, 1, 1),
        (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, h), (279, 4, 1, len(pixels)), (339, 3, 1, 2),
    ]
    ifd_offset = 8
    data_offset = ifd_offset + 2 + 12 * len(entries) + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", ifd_offset))
    out += struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        if tag == 273:
            value = data_offset
        if typ == 3:
            out += struct.pack("<HHIHH", tag, typ, count, value, 0)
        else:
            out += struct.pack("<HHII", tag, typ, count, value)
    out += struct.pack("<I", 0)
    out += pixels
    with open(path, "wb") as f:
        f.write(out)


def main():
    tricky = verify_formula()
    rng = np.random.default_rng(SEED)
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*")):
        os.remove(old)
    rows = []

    def record(name, expected, bits, signed, colour, tol, source):
        expected = np.asarray(expected)
        h, w = expected.shape
        if bits <= 8:
            raw = expected.astype(np.uint8).tobytes()
        elif signed:
            raw = expected.astype("<i2").tobytes()
        else:
            raw = expected.astype("<u2").tobytes()
        with open(os.path.join(OUT, name + ".expected.raw"), "wb") as f:
            f.write(raw)
        rows.append({"name": name, "expected_bits": bits, "signed": "true" if signed else "false",
                     "colour": "true" if colour else "false", "width": w, "height": h,
                     "max_abs_diff": tol, "source": source})

    def pil_l(name):
        return np.asarray(Image.open(os.path.join(OUT, name)).convert("L"))

    # 8-bit RGB, random.
    rgb = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "rgb_random.png"))
    record("rgb_random.png", pil_l("rgb_random.png"), 8, False, True, 0, "PIL convert(L)")
    # 8-bit RGB, colours where a naive 299/587/114 division rounds differently.
    pick = tricky[rng.choice(len(tricky), 64 * 64, replace=False)].reshape(64, 64, 3)
    pick[0, :4] = [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 0, 255]]
    Image.fromarray(pick, "RGB").save(os.path.join(OUT, "rgb_tricky.png"))
    record("rgb_tricky.png", pil_l("rgb_tricky.png"), 8, False, True, 0, "PIL convert(L)")
    # RGBA: alpha ignored.
    rgba = rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)
    Image.fromarray(rgba, "RGBA").save(os.path.join(OUT, "rgba.png"))
    record("rgba.png", pil_l("rgba.png"), 8, False, True, 0, "PIL convert(L)")
    # Palette.
    p = Image.fromarray(rng.integers(0, 256, (17, 23), dtype=np.uint8), "L").convert("P")
    p.putpalette(rng.integers(0, 256, 768, dtype=np.uint8).tobytes())
    p.save(os.path.join(OUT, "palette.png"))
    record("palette.png", pil_l("palette.png"), 8, False, True, 0, "PIL convert(L)")
    # Grey + alpha.
    Image.fromarray(rng.integers(0, 256, (9, 11, 2), dtype=np.uint8), "LA").save(os.path.join(OUT, "grey_alpha.png"))
    record("grey_alpha.png", pil_l("grey_alpha.png"), 8, False, False, 0, "PIL convert(L)")
    # 8-bit grey PNG and TIFF (LZW), RGB TIFF (deflate).
    grey = rng.integers(0, 256, (31, 29), dtype=np.uint8)
    Image.fromarray(grey, "L").save(os.path.join(OUT, "grey8.png"))
    record("grey8.png", pil_l("grey8.png"), 8, False, False, 0, "PIL convert(L)")
    Image.fromarray(grey, "L").save(os.path.join(OUT, "grey8_lzw.tif"), compression="tiff_lzw")
    record("grey8_lzw.tif", pil_l("grey8_lzw.tif"), 8, False, False, 0, "PIL convert(L)")
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "rgb_deflate.tif"), compression="tiff_adobe_deflate")
    record("rgb_deflate.tif", pil_l("rgb_deflate.tif"), 8, False, True, 0, "PIL convert(L)")
    # 16-bit grey PNG and TIFF: the stored samples.
    g16 = rng.integers(0, 65536, (13, 17), dtype=np.uint16)
    g16[0, 0], g16[0, 1] = 0, 65535
    Image.fromarray(g16, "I;16").save(os.path.join(OUT, "grey16.png"))
    record("grey16.png", np.asarray(Image.open(os.path.join(OUT, "grey16.png"))), 16, False, False, 0, "stored")
    Image.fromarray(g16, "I;16").save(os.path.join(OUT, "grey16.tif"))
    record("grey16.tif", np.asarray(Image.open(os.path.join(OUT, "grey16.tif"))), 16, False, False, 0, "stored")
    # Signed 16-bit TIFF (CT-style HU), written by hand (SampleFormat = 2).
    s16 = rng.integers(-1024, 3072, (12, 10), dtype=np.int16)
    s16[0, 0], s16[0, 1] = -32768, 32767
    write_tiff_int16(os.path.join(OUT, "signed16.tif"), s16)
    record("signed16.tif", s16, 16, True, False, 0, "stored")
    # 16-bit RGB PNG, written by hand: luma16.
    rgb16 = rng.integers(0, 65536, (7, 9, 3), dtype=np.uint16)
    rgb16[0, 0] = [65535, 65535, 65535]
    write_png16_rgb(os.path.join(OUT, "rgb16.png"), rgb16)
    record("rgb16.png", luma(rgb16[..., 0], rgb16[..., 1], rgb16[..., 2]), 16, False, True, 0, "luma16")
    # JPEG: grey and colour (PIL's default 4:2:0 chroma subsampling), plus a noisy 4:2:0 one.
    yy, xx = np.mgrid[0:40, 0:56]
    smooth = np.stack([(xx * 4) % 256, (yy * 6) % 256, ((xx + yy) * 3) % 256], -1).astype(np.uint8)
    Image.fromarray(smooth, "RGB").save(os.path.join(OUT, "rgb.jpg"), quality=92)
    record("rgb.jpg", pil_l("rgb.jpg"), 8, False, True, 0, "PIL convert(L)")
    Image.fromarray(smooth[..., 0], "L").save(os.path.join(OUT, "grey.jpg"), quality=92)
    record("grey.jpg", pil_l("grey.jpg"), 8, False, False, 0, "PIL convert(L)")
    Image.fromarray(rgb, "RGB").save(os.path.join(OUT, "rgb_noise.jpg"), quality=80, subsampling=2)
    record("rgb_noise.jpg", pil_l("rgb_noise.jpg"), 8, False, True, 0, "PIL convert(L)")

    # Inputs that must be skipped.
    with open(os.path.join(OUT, "notimage.png"), "w") as f:
        f.write("this is not an image\n")
    with open(os.path.join(OUT, "rgb_random.png"), "rb") as f:
        whole = f.read()
    with open(os.path.join(OUT, "truncated.png"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    with open(os.path.join(OUT, "images.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "expected_bits", "signed", "colour", "width", "height",
                                          "max_abs_diff", "source"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} fixtures to {OUT}")


if __name__ == "__main__":
    main()
