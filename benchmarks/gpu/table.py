#!/usr/bin/env python3
"""Prints the GPU benchmark table of issue #5 from one device-check.sh run.

Usage: table.py OUT_DIR   (reads ours.jsonl, pytorch.jsonl, reduce-RULE-DEVICE.json, reduce-compare.txt)
Rows join ours and PyTorch's timings on (op, size, precision). "x PyTorch" = PyTorch ms / our ms
(above 1: we are faster); "of floor" = floor ms / our ms (the share of the roofline reached).
Standard library only: it runs on the GPU machine and here.
"""
import json
import os
import sys


def read_jsonl(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def fmt(ms):
    return "—" if ms is None else (f"{ms:.3f}" if ms < 10 else f"{ms:.1f}")


def main(out):
    ours = read_jsonl(os.path.join(out, "ours.jsonl"))
    torch = {(r["op"], r["size"], r["precision"]): r["pytorch_ms"] for r in read_jsonl(os.path.join(out, "pytorch.jsonl"))}
    print("| op | size | precision | ours ms | PyTorch ms | x PyTorch | of floor | rate | check |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in ours:
        key = (r["op"], r["size"], r["precision"])
        t = torch.get(key)
        ratio = f"{t / r['oursMs']:.2f}x" if t and r["oursMs"] > 0 else "—"
        floor = f"{100 * r['floorMs'] / r['oursMs']:.0f}%" if r.get("floorMs") and r["oursMs"] > 0 else "—"
        print(f"| {r['op']} | {r['size']} | {r['precision']} | {fmt(r['oursMs'])} | {fmt(t)} | {ratio} | {floor} "
              f"| {r.get('rate', '')} | {r.get('check', '')} |")
    unmatched = sorted(set(torch) - {(r["op"], r["size"], r["precision"]) for r in ours})
    for op, size, prec in unmatched:
        print(f"| {op} | {size} | {prec} | — | {fmt(torch[(op, size, prec)])} | — | — | | no timing of ours |")
    for rule in ("reference", "global"):
        for dev in ("cpu", "cuda"):
            p = os.path.join(out, f"reduce-{rule}-{dev}.json")
            if os.path.exists(p):
                with open(p) as f:
                    s = json.load(f)
                t = s.get("timings", {})
                n = s.get("totals", {}).get("slices")
                print(f"| reduce --strategy hash --rule {rule} --device {dev} | {n} slices | end to end "
                      f"| {fmt(1000 * t.get('total_s', 0))} | — | — | — | {t.get('slices_per_s')} slices/s "
                      f"| kept {s.get('totals', {}).get('kept')} |")
    p = os.path.join(out, "reduce-compare.txt")
    if os.path.exists(p):
        print("\n" + open(p).read().strip())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "device-out")
