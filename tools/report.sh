#!/usr/bin/env bash
# Regenerates the README's results section: builds the asset pack, the fixed
# benchmark "SoundSpot Scenes test" and training scenes for L3-Net's CCA (each
# only when missing), then evaluates the bundled models on test-seen and
# test-unseen. Extra arguments go to `soundspot-cli report` (e.g. --ablation DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI="${SOUNDSPOT_BUILD_DIR:-build}/app/soundspot-cli"
[ -x "$CLI" ] || bash packaging/build.sh
mkdir -p out
[ -f out/scenes.sspack ] || "$CLI" pack --out out/scenes.sspack
[ -f out/scenes-test/dataset.json ] || "$CLI" scenes --benchmark --out out/scenes-test --pack out/scenes.sspack
[ -f out/scenes-cca/dataset.json ] || "$CLI" scenes --out out/scenes-cca --count 100 --seed 7 --split-plan train=1 --pack out/scenes.sspack
"$CLI" report --bench out/scenes-test --cca-data out/scenes-cca "$@"
