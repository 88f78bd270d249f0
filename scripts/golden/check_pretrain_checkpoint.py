#!/usr/bin/env python3
"""Oracle for `lessismore pretrain` checkpoints and `lessismore embed` outputs (not run by the build).

1. Loads checkpoint-<step>.safetensors into torchvision.models.resnet18() (or resnet50) with conv1
   changed to 1 channel and fc = Identity, with load_state_dict(strict=True).
2. With --embed DIR --images FOLDER: compares DIR/embeddings.npy (read with numpy) to torchvision's
   eval-mode forward of the images in FOLDER (sorted *.png, Pillow LANCZOS resize to the
   checkpoint's size, /255), row for row.

Usage: /usr/bin/python3 scripts/golden/check_pretrain_checkpoint.py CKPT [--embed DIR --images FOLDER]
Needs Debian's python3-torch 1.13, python3-torchvision, numpy and PIL; no safetensors package (the
format is read by hand).
"""
import argparse
import glob
import json
import struct
import sys

import numpy as np
import torch
import torchvision
from PIL import Image


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        dtype = {"F32": np.float32, "I64": np.int64}[v["dtype"]]
        a, b = v["data_offsets"]
        tensors[key] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtype).reshape(v["shape"]).copy())
    return tensors, header.get("__metadata__", {})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("checkpoint")
    p.add_argument("--embed")
    p.add_argument("--images")
    a = p.parse_args()
    state, meta = read_safetensors(a.checkpoint)
    arch = "resnet50" if "layer1.0.conv3.weight" in state else "resnet18"
    model = getattr(torchvision.models, arch)()
    model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    model.fc = torch.nn.Identity()
    print(arch, model.load_state_dict(state, strict=True), "metadata:", meta)
    if a.embed:
        size = int(meta.get("size", 64))
        ours = np.load(a.embed + "/embeddings.npy")
        pngs = sorted(glob.glob(a.images + "/*.png"))
        x = np.stack([np.asarray(Image.open(f).convert("L").resize((size, size), Image.LANCZOS),
                                 dtype=np.float32) / 255 for f in pngs])
        model.eval()
        with torch.no_grad():
            ref = model(torch.from_numpy(x[:, None])).numpy()
        diff = float(np.abs(ref - ours).max())
        print(f"embeddings {ours.shape} {ours.dtype}; max |ours - torchvision| = {diff:.3g}")
        if ours.shape != ref.shape or diff > 1e-4:
            sys.exit(1)


if __name__ == "__main__":
    main()
