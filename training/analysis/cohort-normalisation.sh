#!/usr/bin/env bash
# The cohort-normalisation finding (docs/TRAINING-STUDY.md, "Normalising the
# scores against a cohort"): evaluates an AVOL-Net on the benchmark without
# and with each mode of nn::CohortNormalisation, the cohorts taken from
# training scenes (out/scenes-cca: 100 clips of the train split, which no
# test instance is in).
# Usage: bash training/analysis/cohort-normalisation.sh [MODEL [OUT]]
#   MODEL  default resources/models/avol;  OUT  default out/cohort-normalisation
# Needs build/app/soundspot-cli, out/scenes-test and out/scenes-cca (tools/report.sh makes both).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL="${1:-resources/models/avol}"
OUT="${2:-out/cohort-normalisation}"
CLI="${CLI:-build/app/soundspot-cli}"
THREADS="${THREADS:-2}"
FRAMES="${FRAMES:-500}"
for need in "$CLI" out/scenes-test/dataset.json out/scenes-cca/dataset.json; do
  [ -e "$need" ] || { echo "cohort-normalisation: $need is missing (build, then bash tools/report.sh)" >&2; exit 1; }
done
mkdir -p "$OUT"
# Audio cohort: the audio embeddings of every second of the training clips.
[ -f "$OUT/cohort-index/audio.f32" ] || "$CLI" --threads "$THREADS" index out/scenes-cca --model "$MODEL" --out "$OUT/cohort-index"
# Frame cohort: the unit region embeddings of the first FRAMES frames an
# evaluation of the training clips looks at (128 x 196 float32 each).
if [ ! -f "$OUT/frames.f32" ]; then
  rm -f "$OUT/all-frames.f32"
  SOUNDSPOT_DUMP_REGIONS="$OUT/all-frames.f32" "$CLI" --threads "$THREADS" eval --model "$MODEL" --data out/scenes-cca \
    --split train --json "$OUT/train-eval.json" --no-untrained >/dev/null
  head -c $((FRAMES * 128 * 196 * 4)) "$OUT/all-frames.f32" > "$OUT/frames.tmp" && mv "$OUT/frames.tmp" "$OUT/frames.f32"
  rm -f "$OUT/all-frames.f32"
fi
export SOUNDSPOT_AUDIO_COHORT="$OUT/cohort-index/audio.f32" SOUNDSPOT_FRAME_COHORT="$OUT/frames.f32"
for split in test-unseen test-seen; do
  for mode in none region-z region-mean region-top10 map-mean audio-z audio-mean; do
    json="$OUT/$mode-$split.json"
    [ -f "$json" ] && continue
    echo "cohort-normalisation: $mode on $split"
    SOUNDSPOT_COHORT_NORM="$([ "$mode" = none ] || echo "$mode")" "$CLI" --threads "$THREADS" eval --model "$MODEL" \
      --data out/scenes-test --split "$split" --json "$json" --no-untrained >/dev/null
  done
done
python3 - "$OUT" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
print("| mode | test-unseen pointing / AUROC / background | test-seen pointing / AUROC |")
print("|---|---|---|")
for mode in ["none", "region-z", "region-mean", "region-top10", "map-mean", "audio-z", "audio-mean"]:
    u = json.load(open(out / f"{mode}-test-unseen.json"))["localization"]
    s = json.load(open(out / f"{mode}-test-seen.json"))["localization"]
    print(f"| {mode} | {u['pointing_accuracy']:.1%} / {u['mismatch_auroc']:.3f} / {u['peak_on_background']:.1%} "
          f"| {s['pointing_accuracy']:.1%} / {s['mismatch_auroc']:.3f} |")
PY
