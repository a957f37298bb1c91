#!/usr/bin/env bash
# The README's "Train on your own videos" example, measured: a plain folder of
# synthetic videos (a moving coloured shape makes a tone of its own, often
# beside a silent shape) to train on without any labels, and another set with
# the true boxes to measure on. Evaluates the bundled AVOL-Net, fine-tunes it
# on the folder (`train --data FOLDER --init resources/models/avol`),
# evaluates again and prints one JSON line per model. Draws the maps of both
# on a held-out clip (out/folder-example/overlay-*.mp4, maps-*.png at 3 s). Rerun for the figures.
#   STEPS=1000 CLIPS=64 TRAIN_ARGS="--lr 1e-4" bash tools/folder-example.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CLI="${SOUNDSPOT_BUILD_DIR:-build}/app/soundspot-cli"
[ -x "$CLI" ] || bash packaging/build.sh
OUT=out/folder-example
STEPS=${STEPS:-1000}
CLIPS=${CLIPS:-64}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
mkdir -p "$OUT"
[ -d "$OUT/my-videos" ] || "$CLI" tone-videos --out "$OUT/my-videos" --clips "$CLIPS" --seconds 6 --seed 1
[ -f "$OUT/held-out/dataset.json" ] ||
  "$CLI" tone-videos --out "$OUT/held-out/videos" --truth "$OUT/held-out" --clips 24 --seconds 6 --seed 2
"$CLI" eval --model resources/models/avol --data "$OUT/held-out" --split test --json "$OUT/eval-bundled.json" >/dev/null
SECONDS=0
"$CLI" train --data "$OUT/my-videos" --init resources/models/avol --steps "$STEPS" --batch 32 --val-every 50 \
  --out "$OUT/fine-tuned" ${TRAIN_ARGS:-} >/dev/null
train_seconds=$SECONDS
"$CLI" eval --model "$OUT/fine-tuned" --data "$OUT/held-out" --split test --json "$OUT/eval-fine-tuned.json" >/dev/null
for m in bundled fine-tuned; do
  python3 - "$OUT/eval-$m.json" "$m" "$train_seconds" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); loc = r["localization"]
line = {"model": sys.argv[2], "clips": r["clips"], "instants": r["instants"], "pointing": round(loc["pointing_accuracy"], 3),
        "object_baseline": round(loc["object_baseline"], 3), "avc_accuracy": round(r["avc_accuracy"], 3)}
if sys.argv[2] == "fine-tuned": line["train_seconds"] = int(sys.argv[3])
print(json.dumps(line))
PY
done
clip="$OUT/held-out/videos/tone-shapes-001.mp4"
for m in bundled fine-tuned; do
  model=resources/models/avol
  [ "$m" = fine-tuned ] && model="$OUT/fine-tuned"
  "$CLI" localize "$clip" --model "$model" --out "$OUT/overlay-$m.mp4" >/dev/null 2>&1
  "$CLI" frame "$OUT/overlay-$m.mp4" --at 3 -o "$OUT/maps-$m.png" >/dev/null 2>&1
done
