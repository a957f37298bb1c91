#!/usr/bin/env bash
# Makes the README screenshots of the viewer under Xvfb: overlay, map only
# and side by side on the demo clip (resources/demo/demo.mp4), or on a clip
# given as $1. PNGs go to docs/images/. Needs a built tree (BUILD_DIR, default build).
# `tools/screenshots.sh training` makes only docs/images/training-dialog.png:
# the Tools ▸ Train model… dialog during a tiny run on a generated dataset
# (the test_ui executable's TestTrainingDialog::screenshotDuringARun).
# `tools/screenshots.sh retrieval` makes only docs/images/retrieval-panel.png:
# the viewer with View ▸ Retrieval panel open, an index built in the panel
# from a small generated SoundSpot Scenes dataset (or RETRIEVAL_DATA=DIR)
# with the bundled AVOL-Net (MODEL=DIR for another), and the results of "Where
# is this sound made?" (RETRIEVAL_KIND=where|image-sound|sound-image|image-image|sound-sound)
# (TestRetrievalPanel::screenshotWithResults).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
VIEWER="$BUILD_DIR/app/soundspot"
training_shot() {
  local tests="$BUILD_DIR/tests/test_ui"
  [ -x "$tests" ] && [ -x "$BUILD_DIR/app/soundspot-cli" ] || { echo "screenshots: $tests or soundspot-cli not built" >&2; return 1; }
  mkdir -p docs/images
  QT_QPA_PLATFORM=xcb SOUNDSPOT_DATA_DIR="$PWD/resources" SOUNDSPOT_LOG=warn \
    SOUNDSPOT_SCREENSHOT="$PWD/docs/images/training-dialog.png" XDG_CONFIG_HOME="$(mktemp -d)" \
    xvfb-run -a -s "-screen 0 1400x900x24" "$tests" TestTrainingDialog screenshotDuringARun
  echo "docs/images/training-dialog.png"
}
retrieval_shot() {
  local tests="$BUILD_DIR/tests/test_ui" cli="$BUILD_DIR/app/soundspot-cli"
  [ -x "$tests" ] && [ -x "$cli" ] || { echo "screenshots: $tests or soundspot-cli not built" >&2; return 1; }
  local data="${RETRIEVAL_DATA:-}" tmp model
  model="$(realpath "${MODEL:-resources/models/avol}")"
  tmp="$(mktemp -d)"
  if [ -z "$data" ]; then
    data="$tmp/scenes"
    SOUNDSPOT_DATA_DIR="$PWD/resources" SOUNDSPOT_LOG=warn "$cli" scenes --out "$data" --count 12 --seed 7 --duration 4 >/dev/null
  fi
  mkdir -p docs/images
  QT_QPA_PLATFORM=xcb QT_MEDIA_BACKEND="${QT_MEDIA_BACKEND:-gstreamer}" SOUNDSPOT_DATA_DIR="$PWD/resources" SOUNDSPOT_LOG=warn \
    SOUNDSPOT_SCREENSHOT="$PWD/docs/images/retrieval-panel.png" SOUNDSPOT_SCREENSHOT_DATA="$data" \
    SOUNDSPOT_SCREENSHOT_KIND="${RETRIEVAL_KIND:-where}" SOUNDSPOT_SCREENSHOT_MODEL="$model" \
    XDG_CONFIG_HOME="$tmp/config" \
    xvfb-run -a -s "-screen 0 1600x1000x24" "$tests" TestRetrievalPanel screenshotWithResults
  rm -rf "$tmp"
  echo "docs/images/retrieval-panel.png"
}
if [ "${1:-}" = training ]; then training_shot; exit; fi
if [ "${1:-}" = retrieval ]; then retrieval_shot; exit; fi
CLIP="${1:-resources/demo/demo.mp4}"
MODEL="${MODEL:-resources/models/avol}"
[ -x "$VIEWER" ] || { echo "screenshots: $VIEWER not built" >&2; exit 1; }
[ -f "$CLIP" ] || { echo "screenshots: no clip at $CLIP (pass one as the first argument)" >&2; exit 1; }
mkdir -p docs/images
export QT_QPA_PLATFORM=xcb QT_MEDIA_BACKEND="${QT_MEDIA_BACKEND:-gstreamer}"
export XDG_CONFIG_HOME="$(mktemp -d)"  # fresh settings: default window size and look
shoot() {  # name view extra-args...
  local name=$1 view=$2; shift 2
  xvfb-run -a -s "-screen 0 1400x900x24" "$VIEWER" "$CLIP" --model "$MODEL" --view "$view" \
    --screenshot "docs/images/$name.png" --screenshot-delay 6 "$@"
  echo "docs/images/$name.png"
}
shoot viewer-overlay overlay --seek 2 --play
shoot viewer-map-only map --seek 2
shoot viewer-side-by-side side --seek 2
training_shot
retrieval_shot
