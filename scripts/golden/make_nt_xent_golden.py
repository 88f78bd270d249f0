#!/usr/bin/env python3
"""Golden values for lessismore's NT-Xent reference (java/src/test/java/lessismore/kernels/NtXentTest.java).

SimCLR's NT-Xent loss as a PyTorch SimCLR implementation writes it: F.normalize, logits z z^T / tau,
the diagonal masked out, cross-entropy against the other view (row i's positive is (i + B) mod 2B),
mean over the 2B rows; then backward to z. z (2B, D) is generated on both sides (no need to store
it): element e of case "name" is scale * u with u in [-1, 1) from splitmix64's finaliser of
fnv1a64("nt_xent/" + name) + (e + 1) * 0x9E3779B97F4A7C15, rounded to float32 (the generator of
make_simclr_golden.py); optionally one row is multiplied by 1e-14 so that its norm falls below
F.normalize's eps (1e-12) and the clamped branch of the normalisation is exercised.

The golden loss and gradient are computed in float64 from the float32 z (the exact values up to
double rounding); the script also runs the same code in float32 and asserts that float32 PyTorch
itself is within the test's tolerance (1e-5 relative, see NtXentTest) of them.

Stored per case, one line: name B D tau scale tinyRow loss max|dz| ||dz||_2 and up to SAMPLE
(index value) pairs of dz, element (k * STRIDE) mod (2B * D) for k < SAMPLE (all elements when
there are at most SAMPLE).

Run with Debian's python3 (torch CPU):
    /usr/bin/python3 scripts/golden/make_nt_xent_golden.py java/src/test/resources/golden/nt_xent/golden.txt
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F

from seeded import uniform

SAMPLE = 48
STRIDE = 1000003
TOLERANCE = 1e-5

# name, B, D, tau, scale, row scaled by 1e-14 (-1: none). Sizes include B = 1 (2 rows) and
# row counts that are no multiple of any kernel tile (64 or 128).
CASES = [
    ("b1_d3", 1, 3, 0.5, 1.0, -1),
    ("b3_d5", 3, 5, 0.1, 1.0, -1),
    ("b4_d8_tiny", 4, 8, 0.5, 1.0, 2),
    ("b9_d16_tau005", 9, 16, 0.05, 1.0, -1),
    ("b37_d67", 37, 67, 0.5, 3.0, -1),
    ("b65_d128", 65, 128, 0.2, 0.5, -1),
    ("b130_d33", 130, 33, 1.0, 1.0, -1),
]


def make_z(name, b, d, scale, tiny):
    z = (scale * uniform("nt_xent/" + name, 2 * b * d)).astype(np.float32).reshape(2 * b, d)
    if tiny >= 0:
        z[tiny] = z[tiny] * np.float32(1e-14)
    return z


def nt_xent(z, tau):
    """Loss and dLoss/dz of z (2B, D) in z's dtype."""
    z = z.clone().requires_grad_(True)
    n = z.shape[0]
    zn = F.normalize(z, dim=1)
    logits = zn @ zn.T / tau
    logits = logits.masked_fill(torch.eye(n, dtype=torch.bool), float("-inf"))
    labels = (torch.arange(n) + n // 2) % n
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    return loss.detach(), z.grad.detach()


def main(out):
    lines = ["# NT-Xent golden values: scripts/golden/make_nt_xent_golden.py, PyTorch %s CPU, float64 from float32 z" % torch.__version__,
             "# name B D tau scale tinyRow loss max|dz| ||dz||_2 (index value)*"]
    for name, b, d, tau, scale, tiny in CASES:
        z = make_z(name, b, d, scale, tiny)
        loss, dz = nt_xent(torch.from_numpy(z).double(), tau)
        loss32, dz32 = nt_xent(torch.from_numpy(z), tau)
        # |delta| <= TOLERANCE * |golden| (for dz: the largest |dz|), so an exact 0 must stay 0
        loss_err = abs(loss32.double().item() - loss.item())
        dz_err = (dz32.double() - dz).abs().max().item()
        assert loss_err <= TOLERANCE * abs(loss.item()) and dz_err <= TOLERANCE * dz.abs().max().item(), (name, loss_err, dz_err)
        flat = dz.flatten().numpy()
        count = min(SAMPLE, flat.size)
        idx = np.arange(count) if flat.size <= SAMPLE else (np.arange(count, dtype=np.int64) * STRIDE) % flat.size
        fields = [name, str(b), str(d), repr(tau), repr(scale), str(tiny), "%.17g" % loss.item(),
                  "%.17g" % np.abs(flat).max(), "%.17g" % np.linalg.norm(flat)]
        for i in idx:
            fields += [str(int(i)), "%.17g" % flat[i]]
        lines.append(" ".join(fields))
        print("%s: loss %.6f, float32 torch |delta| loss %.1e dz %.1e" % (name, loss.item(), loss_err, dz_err), file=sys.stderr)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
