#!/usr/bin/env python3
"""A uniform "model soup" of SoundSpot model folders (the recipe's stage 9).

Averages every float tensor of vision/audio/head.safetensors over models that
were fine-tuned from the same towers (same arch, width and tower), keeps the
integer BN counters of the first, and writes a model folder that viewer, eval
and report load like any other.  Only the Python standard library is used.

  python3 training/recipes/average-models.py OUT MODEL_DIR MODEL_DIR...
"""
import array, json, os, shutil, struct, sys, tempfile


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


def soup_recipe(models, recipes):
    """The first model's recipe, with what differs between the models said
    for all of them: their seeds, their summed training time and the
    calibration the averaged head now holds (the mean of theirs)."""
    r = {k: v for k, v in recipes[0].items() if k not in ('seed', 'calibration', 'train_seconds')}
    r['averaged_models'] = models
    r['seeds'] = [x.get('seed') for x in recipes]
    times = [x.get('train_seconds') for x in recipes]
    if all(t is not None for t in times):
        r['train_seconds'] = round(sum(times), 1)
        r['train_seconds_per_model'] = times
    cal = [x.get('calibration') for x in recipes]
    if all(c and 'a' in c and 'b' in c for c in cal):
        r['calibration'] = {'a': sum(c['a'] for c in cal) / len(cal), 'b': sum(c['b'] for c in cal) / len(cal),
                            'of_models': cal}
    return r


def fail(message):
    sys.exit(f'average-models: {message}')


def read_card(model):
    path = os.path.join(model, 'card.json')
    try:
        with open(path) as f:
            card = json.load(f)
    except (OSError, ValueError) as e:
        fail(f'{path}: cannot be read as a model card ({e})')
    if not isinstance(card, dict) or not isinstance(card.get('files'), dict):
        fail(f'{path}: not a model card (no "files")')
    return card


def averaged_file(models, name):
    """One safetensors file of the soup: every float tensor the mean of the
    models' (F32 only: the recipe's models are saved in F32 at these widths),
    integer tensors (BatchNorm's batch counters) the first model's."""
    loaded = []
    for m in models:
        try:
            loaded.append(load(os.path.join(m, name)))
        except (OSError, ValueError, struct.error) as e:
            fail(f'{os.path.join(m, name)}: cannot be read as safetensors ({e})')
    header, data = loaded[0]
    data = bytearray(data)
    for key, info in header.items():
        if key == '__metadata__' or info['dtype'] in ('I64', 'I32', 'U8', 'BOOL'):
            continue
        if info['dtype'] != 'F32':
            fail(f'{os.path.join(models[0], name)}: tensor {key} is {info["dtype"]}; only F32 weights are averaged')
        total = None
        for m, (h, d) in zip(models, loaded):
            if key not in h or h[key]['shape'] != info['shape'] or h[key]['dtype'] != 'F32':
                fail(f'{os.path.join(m, name)}: tensor {key} missing or of another shape or type')
            s, e = h[key]['data_offsets']
            values = array.array('f', d[s:e])
            total = list(values) if total is None else [a + b for a, b in zip(total, values)]
        s, e = info['data_offsets']
        data[s:e] = array.array('f', [v / len(models) for v in total]).tobytes()
    head = json.dumps(header).encode()
    return struct.pack('<Q', len(head)) + head + bytes(data)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, models = sys.argv[1].rstrip('/'), sys.argv[2:]
    cards = [read_card(m) for m in models]
    for m, c in zip(models, cards):
        for key in ('arch', 'width', 'tower', 'embed_dim', 'files'):
            if c.get(key) != cards[0].get(key):
                fail(f'{m}: {key} {c.get(key)} differs from {models[0]}: {cards[0].get(key)}')
    # The whole folder is written beside OUT and renamed into place: an
    # interrupted run leaves no half-written model.
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix='.soup-')
    try:
        for name in cards[0]['files'].values():
            write_atomic(os.path.join(tmp, name), averaged_file(models, name))
        card = dict(cards[0])
        card['recipe'] = soup_recipe(models, [c.get('recipe', {}) for c in cards])
        write_atomic(os.path.join(tmp, 'card.json'), (json.dumps(card, indent=2) + '\n').encode())
        old = None
        if os.path.exists(out):
            old = tempfile.mkdtemp(dir=parent, prefix='.soup-old-')
            os.replace(out, os.path.join(old, 'model'))
        os.replace(tmp, out)
        if old:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f'averaged {len(models)} models into {out}')


if __name__ == '__main__':
    main()
