#!/usr/bin/python3
"""PyTorch round trip of lessismore's ResNet checkpoints (java/src/test/java/lessismore/nn/onnx/TorchRoundTripTest.java).

Two jobs:

1. Golden embeddings (default). torchvision's resnet18 with a 1-channel conv1 and fc = Identity,
   in eval mode, with the deterministic weights both sides generate by parameter name
   (make_simclr_golden.weight(), GoldenWeights.java) plus generated BN running statistics
   (running_mean = 0.2 u, running_var = 1 + 0.5 u, u from make_simclr_golden.uniform() of the
   buffer's name; GoldenWeights.fillRunningStatistics), so no 44 MB of weights is stored.
   Input: SLICES of ../shared/data/ct, each with the published 8-bit preprocessing
   (make_dhash_golden.to_uint8), resized to 64x64 with PIL's LANCZOS, divided by 255 (float32).
   Writes "input" (6, 1, 64, 64), "embedding" (6, 512) and the slice list (__metadata__ "slices")
   as safetensors (~110 KB).

2. --check-state-dict FILE: reads a safetensors state dict written by our Java Safetensors writer
   (parsed by hand here, no safetensors package), loads it into the same torchvision model with
   load_state_dict(strict=True), checks that every tensor equals the generated one bit for bit, and
   that the eval forward on the golden input reproduces the golden embeddings. Exit 0 when all
   holds, 1 otherwise, 77 when torch/torchvision/pydicom are missing (the Java test then skips).

Run with Debian's python3 (torch 1.13 CPU, torchvision 0.14, pydicom, PIL), from the repository root:
    /usr/bin/python3 scripts/golden/make_torch_roundtrip_golden.py [--ct CT_DIR] [--out FILE]
    /usr/bin/python3 scripts/golden/make_torch_roundtrip_golden.py --check-state-dict FILE [--golden FILE]
"""
import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_CT = os.path.join(REPO_ROOT, "..", "shared", "data", "ct")
DEFAULT_GOLDEN = os.path.join(REPO_ROOT, "java", "src", "test", "resources", "golden", "onnx",
                              "torch-roundtrip.safetensors")
MISSING_MODULE = 77

try:
    import numpy as np
    import pydicom
    import torch
    import torchvision
    from PIL import Image
except ImportError as e:
    print("missing module: %s" % e, file=sys.stderr)
    sys.exit(MISSING_MODULE)

sys.path.insert(0, HERE)
from make_dhash_golden import to_uint8  # noqa: E402
from make_simclr_golden import uniform, weight, write_safetensors  # noqa: E402

# Two chest slices, the tilted head, both phantom sessions and one JPEG 2000 slice.
SLICES = [
    "chest-phase00/00-slice040.dcm",
    "chest-phase00/00-slice100.dcm",
    "ge-head-tilt/14.dcm",
    "philips-phantom-a/I140",
    "philips-phantom-b/I200",
    "totalseg-j2k/CT.1.3.12.2.1107.5.1.4.60064.30000022120808113428000016582",
]
SIZE = 64
TOLERANCE = 1e-6


def backbone():
    """torchvision resnet18 as lessismore's ResNet.resnet18(1, 0, seed): 1-channel conv1, no fc."""
    model = torchvision.models.resnet18()
    model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    model.fc = torch.nn.Identity()
    return model


def golden_state(model):
    """The generated state dict: parameters as make_simclr_golden, running statistics as above."""
    params = dict(model.named_parameters())
    norm = {f"{m}.{p}" for m, mod in model.named_modules()
            if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm) for p in ("weight", "bias")}
    state = {}
    for name, t in model.state_dict().items():
        if name in params:
            state[name] = weight(name, params, name in norm)
        elif name.endswith("running_mean") or name.endswith("running_var"):
            center, bound = (0.0, 0.2) if name.endswith("running_mean") else (1.0, 0.5)
            values = (center + bound * uniform(name, t.numel())).astype(np.float32)
            state[name] = torch.from_numpy(values.reshape(tuple(t.shape)))
        else:  # num_batches_tracked: not used in eval mode
            state[name] = t.clone()
    return state


def load_input(ct_dir):
    """(len(SLICES), 1, SIZE, SIZE) float32: 8-bit slice, PIL LANCZOS to SIZE x SIZE, / 255."""
    images = []
    for rel in SLICES:
        u8 = to_uint8(pydicom.dcmread(os.path.join(ct_dir, *rel.split("/"))))
        im = Image.fromarray(u8, mode="L").resize((SIZE, SIZE), Image.LANCZOS)
        images.append(np.asarray(im, dtype=np.float32) / np.float32(255))
    return torch.from_numpy(np.stack(images)[:, None, :, :].copy())


def read_safetensors(path):
    """name -> tensor (F32, I64) and the __metadata__ map of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        stored, native = {"F32": ("<f4", np.float32), "I64": ("<i8", np.int64)}[info["dtype"]]
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype=stored).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(native))  # astype copies, so the tensor is writable
    return tensors, metadata


def relative_error(ours, ref):
    return (torch.norm(ours.double() - ref.double()) / torch.norm(ref.double())).item()


def make_golden(ct_dir, out):
    model = backbone()
    model.load_state_dict(golden_state(model), strict=True)
    model.eval()
    x = load_input(ct_dir)
    with torch.no_grad():
        embedding = model(x)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_safetensors(out, {"input": x, "embedding": embedding},
                      {"slices": ",".join(SLICES), "size": str(SIZE), "model": "resnet18, 1 channel, no fc, eval"})
    print("%d slices, embedding norm %.4f -> %s" % (len(SLICES), torch.norm(embedding).item(), out))


def check_state_dict(path, golden_path):
    tensors, _ = read_safetensors(path)
    model = backbone()
    model.load_state_dict(tensors, strict=True)  # raises on any missing or unexpected key
    model.eval()
    expected = golden_state(model)
    differing = [k for k, v in model.state_dict().items()
                 if "num_batches_tracked" not in k and not torch.equal(v, expected[k])]
    golden, _ = read_safetensors(golden_path)
    with torch.no_grad():
        err = relative_error(model(golden["input"]), golden["embedding"])
    print("load_state_dict(strict=True) accepted %d tensors of %s; %d differ from the generated weights; "
          "embedding relative error %.2e" % (len(tensors), path, len(differing), err))
    if differing:
        print("differing: %s" % ", ".join(differing[:10]))
    return 0 if not differing and err <= TOLERANCE else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ct", default=DEFAULT_CT, help="the shared CT folder")
    ap.add_argument("--out", default=DEFAULT_GOLDEN, help="golden file to write")
    ap.add_argument("--check-state-dict", metavar="FILE", help="safetensors state dict to check instead")
    ap.add_argument("--golden", default=DEFAULT_GOLDEN, help="golden file for --check-state-dict")
    args = ap.parse_args()
    torch.set_num_threads(1)  # deterministic and friendly to a shared machine
    if args.check_state_dict:
        sys.exit(check_state_dict(args.check_state_dict, args.golden))
    make_golden(args.ct, args.out)


if __name__ == "__main__":
    main()
