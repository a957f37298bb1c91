#!/usr/bin/env python3
"""Is one model's pointing really better than another's on the same benchmark?

Paired bootstrap over whole classes: both reports (eval / report JSON with
localization.per_class, same benchmark and subset) are resampled with the same
classes, so what the two models share (which held-out instances happen to be
hard) cancels out; prints the difference B - A with its 95% interval. A side
may be several runs (e.g. seeds) separated by commas: their per-class
pointing is averaged, so the seed's own spread shrinks in the comparison.

  python3 training/analysis/compare-pointing.py A.json B.json
  python3 training/analysis/compare-pointing.py A1.json,A2.json B1.json,B2.json
"""
import json, random, sys


def per_class(path):
    classes = json.load(open(path)).get('localization', {}).get('per_class')
    if not classes:
        sys.exit(f'{path}: no localization.per_class (an AVOL-Net report made by this version of eval/report)')
    return classes


def average(runs):
    """Per-class pointing averaged over the runs (reports) of one side."""
    return {k: {'instants': runs[0][k]['instants'],
                'pointing_accuracy': sum(r[k]['pointing_accuracy'] for r in runs) / len(runs)} for k in runs[0]}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    runs_a, runs_b = ([per_class(p) for p in arg.split(',')] for arg in sys.argv[1:3])
    first = runs_a[0]
    if any(set(r) != set(first) or any(r[k]['instants'] != first[k]['instants'] for k in r) for r in runs_a + runs_b):
        sys.exit('the reports are not of the same benchmark subset (their classes or instants differ)')
    a, b = average(runs_a), average(runs_b)
    labels = sorted(a)

    def pooled(sample, side):
        n = sum(side[k]['instants'] for k in sample)
        return sum(side[k]['instants'] * side[k]['pointing_accuracy'] for k in sample) / n

    rng = random.Random(2018)
    diffs = []
    for _ in range(10000):
        sample = [rng.choice(labels) for _ in labels]
        diffs.append(pooled(sample, b) - pooled(sample, a))
    diffs.sort()
    d = pooled(labels, b) - pooled(labels, a)
    print(f'A {sys.argv[1]}: pointing {pooled(labels, a):.3f}')
    print(f'B {sys.argv[2]}: pointing {pooled(labels, b):.3f}')
    print(f'B - A = {d:+.3f}, 95% interval {diffs[249]:+.3f} to {diffs[9749]:+.3f} '
          f'({len(labels)} classes resampled, paired)')
    changed = sorted(((b[k]['pointing_accuracy'] - a[k]['pointing_accuracy'], k) for k in labels), reverse=True)
    print('largest per-class changes:', ', '.join(f'{k} {v:+.2f}' for v, k in changed[:3] + changed[-3:]))


if __name__ == '__main__':
    main()
