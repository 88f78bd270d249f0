#!/usr/bin/env python3
"""PyTorch side of benchmarks/pretrain-vs-pytorch.sh: one SimCLR step on the CPU.

ResNet-18 (torchvision, conv1 with 1 input channel, fc = Identity) + projection head
Linear(512, 512)-BatchNorm1d-ReLU-Linear(512, 128), 2 x batch uniform random views, NT-Xent
(tau 0.5), backward, SGD (momentum 0.9, weight decay 1e-6), as lessismore's SimclrStepThroughput.
Prints the median step time and images/s (batch / step time; each image is two views).

Usage: /usr/bin/python3 benchmarks/pretrain_vs_pytorch.py SIZE BATCH STEPS WARMUP THREADS
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision


def nt_xent(z, tau):
    # z is (2B, D); rows i and i + B are the two views of image i.
    n = z.shape[0]
    zn = F.normalize(z, dim=1)
    s = zn @ zn.t() / tau
    s = s.masked_fill(torch.eye(n, dtype=torch.bool), -1e9)
    positive = (torch.arange(n) + n // 2) % n
    return F.cross_entropy(s, positive)


def main():
    size, batch, steps, warmup, threads = (int(a) for a in sys.argv[1:6])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    backbone = torchvision.models.resnet18()
    backbone.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    backbone.fc = torch.nn.Identity()
    head = torch.nn.Sequential(torch.nn.Linear(512, 512), torch.nn.BatchNorm1d(512), torch.nn.ReLU(),
                               torch.nn.Linear(512, 128))
    params = list(backbone.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=1e-6)
    views = torch.rand(2 * batch, 1, size, size)
    times = []
    for s in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = nt_xent(head(backbone(views)), 0.5)
        loss.backward()
        opt.step()
        if s >= warmup:
            times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(f"pytorch {torch.__version__} size {size} batch {batch}: median step {median:.3f} s, "
          f"{batch / median:.2f} images/s ({steps} timed steps, last loss {loss.item():.4f}, {threads} threads)")


if __name__ == "__main__":
    main()
