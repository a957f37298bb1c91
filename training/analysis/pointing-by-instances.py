#!/usr/bin/env python3
"""Held-out pointing against the number of training instances of the class.

Reads the per-class pointing that `soundspot-cli report` / `eval` write
(localization.per_class) and the scene pack the model was trained on, counts
the training pictures and recordings of every class, and prints pointing per
class, pooled by how many training instances a class has and by whether the
class's held-out picture is a photo or a drawing.

  python3 training/analysis/pointing-by-instances.py PACK.sspack REPORT.json [REPORT.json...]
"""
import collections, json, struct, sys


def pack_header(path):
    with open(path, 'rb') as f:
        if f.read(8) != b'SSPACK1\n':
            sys.exit(f'{path}: not a SoundSpot scene pack')
        n = struct.unpack('<Q', f.read(8))[0]
        return json.loads(f.read(n))


def print_pooled(title, table, keys):
    """A table of pointing pooled over classes: key -> [instants, hits, classes]."""
    print(f'| {title} | classes | instants | pointing |')
    print('|---|---:|---:|---:|')
    for key in keys:
        n, hits, k = table[key]
        print(f'| {key} | {k} | {n} | {hits / n:.3f} |')
    print()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    header = pack_header(sys.argv[1])
    classes = header['classes']
    images, sounds = collections.Counter(), collections.Counter()
    held_out_kind = {}  # class -> 'photo' / 'drawing' / 'photo and drawing'
    for item in header['images']:
        if item['split'] == 'train':
            images[classes[item['class']]] += 1
        else:
            kind = 'drawing' if item['drawing'] else 'photo'
            label = classes[item['class']]
            held_out_kind[label] = kind if held_out_kind.get(label, kind) == kind else 'photo and drawing'
    for item in header['sounds']:
        if item['split'] == 'train':
            sounds[classes[item['class']]] += 1
    for report_path in sys.argv[2:]:
        report = json.load(open(report_path))
        per_class = report.get('localization', {}).get('per_class')
        if not per_class:
            sys.exit(f'{report_path}: no localization.per_class (an AVOL-Net report made by this version of eval/report)')
        print(f"## {report_path} ({report['split']}): pointing {report['localization']['pointing_accuracy']:.3f}")
        print('| class | training pictures | training recordings | instants | pointing |')
        print('|---|---:|---:|---:|---:|')
        by_instances = collections.defaultdict(lambda: [0, 0.0, 0])
        by_kind = collections.defaultdict(lambda: [0, 0.0, 0])
        for label, entry in sorted(per_class.items(), key=lambda kv: (images[kv[0]] + sounds[kv[0]], kv[0])):
            n, p = entry['instants'], entry['pointing_accuracy']
            print(f'| {label} | {images[label]} | {sounds[label]} | {n} | {p:.2f} |')
            fewest = min(images[label], sounds[label])
            group = '1' if fewest <= 1 else '2' if fewest == 2 else '3+'
            for table, key in ((by_instances, group), (by_kind, held_out_kind.get(label, 'none held out'))):
                table[key][0] += n
                table[key][1] += n * p
                table[key][2] += 1
        print()
        print_pooled('fewer of pictures / recordings in training', by_instances,
                     [g for g in ('1', '2', '3+') if g in by_instances])
        print_pooled('held-out picture of the class', by_kind, sorted(by_kind))
        # How precisely the benchmark knows the figure (eval resamples whole
        # classes: their clips share a few held-out instances).
        lo, hi = report['localization']['pointing_interval95_by_class']
        print(f'pointing, 95% interval with whole classes resampled: {lo:.3f} to {hi:.3f}, {len(per_class)} classes')
        print()


if __name__ == '__main__':
    main()
