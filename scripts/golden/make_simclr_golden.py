#!/usr/bin/env python3
"""Golden values for lessismore's CPU training engine (java/src/test/java/lessismore/nn/SimclrGoldenTest.java).

One SimCLR training step in PyTorch: torchvision's resnet18 with a 1-channel conv1 and no fc,
the head Linear(512,512)-BN1d-ReLU-Linear(512,128), NT-Xent (tau 0.5) on 4 images x 2 views of
32x32 in train mode, then one SGD step and (from the same start) one LARS step as SimCLR's.

The model's 11 M weights would not fit the size budget of the test resources, so they are not
stored: both sides generate them from a counter-based hash of (parameter name, element index)
(see weight() below and GoldenWeights.java). Gradients and updated weights are stored at up to
SAMPLE pseudo-randomly spread elements per parameter (element (i * 1000003) mod numel for
i < SAMPLE), plus each full gradient's norm; BN running statistics are stored whole.

Run with Debian's python3 (torch 1.13 CPU, torchvision 0.14):
    /usr/bin/python3 scripts/golden/make_simclr_golden.py java/src/test/resources/golden/simclr/golden.safetensors
Writes safetensors by hand (no safetensors package needed): F32 and I64 only.
"""
import json
import struct
import sys

import numpy as np
import torch

from seeded import uniform
import torch.nn.functional as F
import torchvision

SAMPLE = 512
STRIDE = 1000003
TAU = 0.5
LR, MOMENTUM, WEIGHT_DECAY, TRUST = 0.1, 0.9, 1e-4, 0.001


def weight(name, params, is_norm):
    """The generated value of a parameter: center + bound * uniform, rounded once to float32."""
    p = params[name]
    if is_norm:  # BN: scale around 1, shift around 0
        center, bound = (1.0 if name.endswith("weight") else 0.0), 0.2
    elif p.dim() == 4:  # convolution: the standard deviation of torchvision's kaiming_normal_(fan_out)
        center, bound = 0.0, np.sqrt(3.0) * np.sqrt(2.0 / (p.shape[0] * p.shape[2] * p.shape[3]))
    else:  # linear weight or bias: torch's default bound 1/sqrt(fan_in), fan_in from the weight
        fan_in = params[name.rsplit(".", 1)[0] + ".weight"].shape[1]
        center, bound = 0.0, 1.0 / np.sqrt(fan_in)
    values = (center + bound * uniform(name, p.numel())).astype(np.float32)
    return torch.from_numpy(values.reshape(tuple(p.shape)))


class Simclr(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = torchvision.models.resnet18()
        self.backbone.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.backbone.fc = torch.nn.Identity()
        self.head = torch.nn.Sequential(torch.nn.Linear(512, 512), torch.nn.BatchNorm1d(512),
                                        torch.nn.ReLU(), torch.nn.Linear(512, 128))

    def forward(self, x):
        return self.head(self.backbone(x))


def nt_xent(z, tau):
    n = z.shape[0]
    zn = F.normalize(z, dim=1)
    s = zn @ zn.t() / tau
    s = s.masked_fill(torch.eye(n, dtype=torch.bool), -1e9)
    positives = (torch.arange(n) + n // 2) % n
    return F.cross_entropy(s, positives)


def sample(t):
    flat = t.detach().reshape(-1)
    n = flat.numel()
    idx = (torch.arange(min(n, SAMPLE), dtype=torch.int64) * STRIDE) % n
    return flat[idx].clone()


def write_safetensors(path, tensors, metadata=None):
    """tensors by name (float32 or int64), and an optional str -> str __metadata__ map."""
    header, blobs, offset = ({"__metadata__": dict(metadata)} if metadata else {}), [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().astype("<f4" if dtype == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def lars_step(model, norm_params):
    """SimCLR's LARS (TF code, classic momentum) from a zero velocity: one step."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            excluded = name in norm_params or name.endswith("bias")
            d = p.grad if excluded else p.grad + WEIGHT_DECAY * p
            trust = 1.0
            if not excluded:
                w_norm, d_norm = torch.norm(p), torch.norm(d)
                if w_norm > 0 and d_norm > 0:
                    trust = (TRUST * w_norm / d_norm).item()
            velocity = LR * trust * d
            p.sub_(velocity)


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    model = Simclr()
    norm_params = {f"{m}.{p}" for m, mod in model.named_modules()
                   if isinstance(mod, torch.nn.modules.batchnorm._BatchNorm) for p in ("weight", "bias")}
    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(weight(name, params, name in norm_params))
    start = {k: v.clone() for k, v in model.state_dict().items()}

    gen = torch.Generator().manual_seed(1234)
    x = torch.randn(8, 1, 32, 32, generator=gen)  # rows 0-3: first views, rows 4-7: second views
    model.train()
    loss = nt_xent(model(x), TAU)
    loss.backward()

    golden = {"input": x, "loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        golden["grad/" + name] = sample(p.grad)
        golden["grad_norm/" + name] = torch.norm(p.grad).reshape(1)
    for name, t in model.state_dict().items():
        if "running_" in name or "num_batches_tracked" in name:
            golden["state/" + name] = t.clone()
    grads = {name: p.grad.clone() for name, p in model.named_parameters()}

    torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY).step()
    for name, p in model.named_parameters():
        golden["sgd/" + name] = sample(p)

    model.load_state_dict(start)
    for name, p in model.named_parameters():
        p.grad = grads[name]
    lars_step(model, norm_params)
    for name, p in model.named_parameters():
        golden["lars/" + name] = sample(p)

    write_safetensors(out, golden)
    print(f"loss {loss.item():.7f}, {len(golden)} tensors written to {out}")


if __name__ == "__main__":
    main()
