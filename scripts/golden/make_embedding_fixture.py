#!/usr/bin/python3
# -----------------------------------------------------------------------------
# make_embedding_fixture.py -- ONNX encoders and PyTorch's embeddings for them
#
# What this is the oracle for
#   The Java tool (`--strategy embedding --model FILE.onnx`) runs an ONNX image
#   encoder with ONNX Runtime Java on every slice: the slice's 8-bit image
#   (published preprocessing), Pillow LANCZOS resize to the model's input size,
#   (v / 255 - mean[c]) / std[c] per channel (grey replicated when the model
#   takes 3 channels), one forward pass, the first output flattened per sample.
#   This script builds small real CNN encoders in PyTorch, exports them to ONNX
#   and computes the same forward pass in PyTorch on real CT slices, so the
#   Java side can be checked against PyTorch.
#
# Models (seeded random weights, eval mode, BatchNorm running statistics set
# to seeded random values, so the BatchNorm that the export folds into the
# convolutions is not an identity)
#   tiny-encoder.onnx      input (N, 1, 64, 64), N dynamic; 3 blocks of
#                          conv3x3-BN-ReLU (+ 2x2 max pool after the first
#                          two), global average pool, linear 32 -> 64.
#                          Normalization stored in the model metadata:
#                          mean "0.2", std "0.3" (keys "mean", "std").
#   tiny-encoder-rgb.onnx  input (1, 3, H, W), batch fixed to 1, H and W
#                          dynamic; 2 blocks, output (1, 16, 1, 1). No
#                          metadata: the test passes ImageNet mean/std and
#                          input size 32.
#   rank3.onnx             a model whose only input is (N, 64, 64) -- a layout
#                          the tool must refuse with a clear message.
#
# Slices: for each series folder under CT_DIR, the files in sorted() order at
# positions 0, n // 2 and n - 1 (non-image files are skipped).
#
# 8-bit pixels: the published preprocessing, exactly as in
# make_dhash_golden.py (imported from there).
#
# Output: java/src/test/resources/golden/embedding-tiny-encoder.csv, columns
#   model,relpath,embedding
#   embedding = the model's raw output for that slice (before any L2
#   normalization), flattened, space-separated, printed with 9 significant
#   digits (float32 round-trips).
#
# How to run (from the repository root; Debian's python3 with torch 1.13,
# onnx, numpy, PIL, pydicom -- not the pyenv python3 that may be first on PATH):
#   /usr/bin/python3 scripts/golden/make_embedding_fixture.py [CT_DIR]
# -----------------------------------------------------------------------------
import argparse
import csv
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_dhash_golden import read_slice  # noqa: E402  (same published preprocessing)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_CT = os.path.join(REPO_ROOT, "..", "shared", "data", "ct")
ONNX_DIR = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "fixtures", "onnx")
OUT_CSV = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "golden", "embedding-tiny-encoder.csv")

GREY_MEAN, GREY_STD = [0.2], [0.3]
IMAGENET_MEAN, IMAGENET_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
OPSET = 17


def block(cin, cout, pool):
    layers = [torch.nn.Conv2d(cin, cout, 3, padding=1), torch.nn.BatchNorm2d(cout), torch.nn.ReLU()]
    if pool:
        layers.append(torch.nn.MaxPool2d(2))
    return layers


def randomize_bn(model, gen):
    """Non-trivial running statistics and affine parameters, so BN is not an identity."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


def tiny_grey():
    """(N, 1, 64, 64) -> (N, 64)."""
    return torch.nn.Sequential(*block(1, 8, True), *block(8, 16, True), *block(16, 32, False),
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 64))


def tiny_rgb():
    """(1, 3, H, W) -> (1, 16, 1, 1)."""
    return torch.nn.Sequential(*block(3, 8, True), *block(8, 16, False), torch.nn.AdaptiveAvgPool2d(1))


def build(factory, seed):
    torch.manual_seed(seed)
    model = factory()
    randomize_bn(model, torch.Generator().manual_seed(seed + 1))
    return model.eval()


def export(model, example, path, dynamic_axes, metadata):
    torch.onnx.export(model, example, path, opset_version=OPSET, input_names=["image"],
                      output_names=["embedding"], dynamic_axes=dynamic_axes, do_constant_folding=True)
    m = onnx.load(path)
    for k, v in metadata.items():
        m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    onnx.checker.check_model(m)
    onnx.save(m, path)


def export_rank3(path):
    """A valid ONNX model with a rank-3 float input (N, 64, 64) -> (N, 64)."""
    x = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 64, 64])
    y = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", 64])
    node = helper.make_node("ReduceMean", ["image"], ["embedding"], axes=[2], keepdims=0)
    graph = helper.make_graph([node], "rank3", [x], [y])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, path)


def model_input(u8, size, channels, mean, std):
    """The 8-bit slice as the encoder input (1, C, size, size), float32 like the Java tool."""
    small = np.asarray(Image.fromarray(u8, mode="L").resize((size, size), Image.LANCZOS))
    v = small.astype(np.float32) / np.float32(255)
    planes = [(v - np.float32(mean[c])) / np.float32(std[c]) for c in range(channels)]
    return torch.from_numpy(np.stack(planes)[None].astype(np.float32))


def pick_slices(ct_dir):
    """(relpath, uint8 image) for the first, middle and last image file of every series folder."""
    picked = []
    for folder in sorted(os.listdir(ct_dir)):
        images = []
        for name in sorted(os.listdir(os.path.join(ct_dir, folder))):
            ds, u8, reason = read_slice(os.path.join(ct_dir, folder, name))
            if reason is None and u8.ndim == 2:
                images.append((folder + "/" + name, u8))
        n = len(images)
        for i in sorted({0, n // 2, n - 1}) if n else []:
            picked.append(images[i])
    return picked


def main(argv=None):
    ap = argparse.ArgumentParser(description="ONNX encoder fixtures and PyTorch embeddings")
    ap.add_argument("ct_dir", nargs="?", default=DEFAULT_CT)
    args = ap.parse_args(argv)
    os.makedirs(ONNX_DIR, exist_ok=True)

    grey = build(tiny_grey, 20240601)
    export(grey, torch.zeros(2, 1, 64, 64), os.path.join(ONNX_DIR, "tiny-encoder.onnx"),
           {"image": {0: "N"}, "embedding": {0: "N"}},
           {"mean": ",".join(map(str, GREY_MEAN)), "std": ",".join(map(str, GREY_STD))})
    rgb = build(tiny_rgb, 20240602)
    export(rgb, torch.zeros(1, 3, 32, 32), os.path.join(ONNX_DIR, "tiny-encoder-rgb.onnx"),
           {"image": {2: "H", 3: "W"}}, {})
    export_rank3(os.path.join(ONNX_DIR, "rank3.onnx"))

    rows = []
    with torch.no_grad():
        for rel, u8 in pick_slices(os.path.abspath(args.ct_dir)):
            for name, model, size, channels, mean, std in (
                    ("tiny-encoder", grey, 64, 1, GREY_MEAN, GREY_STD),
                    ("tiny-encoder-rgb", rgb, 32, 3, IMAGENET_MEAN, IMAGENET_STD)):
                out = model(model_input(u8, size, channels, mean, std)).reshape(-1).numpy()
                rows.append([name, rel, " ".join("%.9g" % x for x in out)])

    with open(OUT_CSV, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["model", "relpath", "embedding"])
        w.writerows(rows)
    print("%d embeddings -> %s" % (len(rows), OUT_CSV), file=sys.stderr)


if __name__ == "__main__":
    main()
