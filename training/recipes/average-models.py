#!/usr/bin/env python3
"""Experiment: a uniform "model soup" of SoundSpot model folders.

Averages every float tensor of vision/audio/head.safetensors over models that
were fine-tuned from the same towers (same arch, width and tower), keeps the
integer BN counters of the first, and writes a model folder that viewer, eval
and report load like any other.  Only the Python standard library is used.

  python3 training/recipes/average-models.py OUT MODEL_DIR MODEL_DIR...
"""
import array, json, os, struct, sys, tempfile


def load(path):
    with open(path, 'rb') as f:
        blob = f.read()
    n = struct.unpack('<Q', blob[:8])[0]
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def write_atomic(path, payload):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.tmp-')
    with os.fdopen(fd, 'wb') as f:
        f.write(payload)
    os.replace(tmp, path)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, models = sys.argv[1], sys.argv[2:]
    cards = [json.load(open(os.path.join(m, 'card.json'))) for m in models]
    for m, c in zip(models, cards):
        for key in ('arch', 'width', 'tower', 'embed_dim'):
            if c.get(key) != cards[0].get(key):
                sys.exit(f'{m}: {key} {c.get(key)} differs from {models[0]}: {cards[0].get(key)}')
    os.makedirs(out, exist_ok=True)
    for part, name in cards[0]['files'].items():
        loaded = [load(os.path.join(m, name)) for m in models]
        header, data = loaded[0]
        data = bytearray(data)
        for key, info in header.items():
            if key == '__metadata__' or info['dtype'] != 'F32':
                continue
            total = None
            for m, (h, d) in zip(models, loaded):
                if key not in h or h[key]['shape'] != info['shape']:
                    sys.exit(f'{m}/{name}: tensor {key} missing or of another shape')
                s, e = h[key]['data_offsets']
                values = array.array('f', d[s:e])
                total = list(values) if total is None else [a + b for a, b in zip(total, values)]
            s, e = info['data_offsets']
            data[s:e] = array.array('f', [v / len(models) for v in total]).tobytes()
        head = json.dumps(header).encode()
        write_atomic(os.path.join(out, name), struct.pack('<Q', len(head)) + head + bytes(data))
    card = dict(cards[0])
    card['recipe'] = dict(card.get('recipe', {}), averaged_models=models)
    write_atomic(os.path.join(out, 'card.json'), json.dumps(card, indent=2).encode())
    print(f'averaged {len(models)} models into {out}')


if __name__ == '__main__':
    main()
