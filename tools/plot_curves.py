#!/usr/bin/env python3
"""Draws training curves from metrics.jsonl files as one SVG (no plotting
library needed): validation pointing, validation AVC accuracy and the
training loss (mean over 100 steps) against samples seen.

    python3 tools/plot_curves.py --out docs/images/avol-curves.svg \
        "label=path/to/metrics.jsonl" ...
"""
import argparse
import json
import os
import tempfile

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def smooth(points, n):
    """Mean of the last n values: a validation is only 4 batches, so single points are noisy."""
    return [(s, sum(v for _, v in points[max(0, i - n + 1):i + 1]) / (i + 1 - max(0, i - n + 1)))
            for i, (s, _) in enumerate(points)]


def read(path, batch, n):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    val = [(r["step"] * batch, r) for r in rows if "val_acc" in r]
    loss, chunk = [], []
    for r in rows:
        chunk.append(r["loss"])
        if r["step"] % 100 == 0:
            loss.append((r["step"] * batch, sum(chunk) / len(chunk)))
            chunk = []
    return {"pointing": smooth([(s, r["val_pointing"]) for s, r in val if "val_pointing" in r], n),
            "avc": smooth([(s, r["val_acc"]) for s, r in val], n), "loss": loss}


def panel(x0, y0, w, h, title, series, xmax, ymin, ymax, ylabel_fmt):
    out = [f'<text x="{x0 + w / 2}" y="{y0 - 8}" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>']
    for i in range(5):
        v = ymin + (ymax - ymin) * i / 4
        y = y0 + h - h * i / 4
        out.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{y}" y2="{y}" stroke="#eee"/>')
        out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end" font-size="11">{ylabel_fmt(v)}</text>')
    for i in range(5):
        s = xmax * i / 4
        x = x0 + w * i / 4
        out.append(f'<text x="{x}" y="{y0 + h + 14}" text-anchor="middle" font-size="11">{s / 1000:.0f}k</text>')
    for colour, points in series:
        if not points:
            continue
        pts = " ".join(f"{x0 + w * s / xmax:.1f},{y0 + h - h * (min(max(v, ymin), ymax) - ymin) / (ymax - ymin):.1f}"
                       for s, v in points)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--smooth", type=int, default=5, help="validation points averaged")
    ap.add_argument("runs", nargs="+", help="label=metrics.jsonl")
    a = ap.parse_args()
    runs = []
    for spec in a.runs:
        label, path = spec.split("=", 1)
        runs.append((label, read(path, a.batch, a.smooth)))
    xmax = max(max((s for s, _ in r["loss"]), default=1) for _, r in runs)
    losses = [v for _, r in runs for _, v in r["loss"]]
    W, H, pw, ph = 1080, 330, 300, 200
    body = []
    for k, (key, title, lo, hi, fmt) in enumerate([
            ("pointing", f"validation pointing (mean of {a.smooth})", 0, 1, lambda v: f"{v:.2f}"),
            ("avc", f"validation AVC accuracy (mean of {a.smooth})", 0.4, 1, lambda v: f"{v:.2f}"),
            ("loss", "training loss (mean of 100 steps)", min(losses), max(losses), lambda v: f"{v:.1f}")]):
        series = [(COLOURS[i % len(COLOURS)], r[key]) for i, (_, r) in enumerate(runs)]
        body += panel(60 + k * 355, 40, pw, ph, title, series, xmax, lo, hi, fmt)
    body.append(f'<text x="{W / 2}" y="{40 + ph + 32}" text-anchor="middle" font-size="12">samples seen</text>')
    for i, (label, _) in enumerate(runs):
        x, y = 60 + (i % 3) * 355, 40 + ph + 55 + (i // 3) * 18
        body.append(f'<line x1="{x}" x2="{x + 24}" y1="{y - 4}" y2="{y - 4}" stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="3"/>')
        body.append(f'<text x="{x + 30}" y="{y}" font-size="12">{label}</text>')
    height = 40 + ph + 70 + ((len(runs) - 1) // 3) * 18
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" font-family="sans-serif" '
           f'font-size="13"><rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
    # Written next to the target and renamed: never a half-written image.
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(a.out)) or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(svg)
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
