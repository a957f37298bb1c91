#!/usr/bin/env bash
# Sets everything up (packages, build) and opens the SoundSpot viewer on the
# bundled demo clip with the bundled AVOL-Net model.
# Extra arguments are passed to the viewer (e.g. another video file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
BUILD_DIR="${SOUNDSPOT_BUILD_DIR:-build}"
DEMO=resources/demo/demo.mp4
MODEL=resources/models/avol
MODEL_ARGS=(--model "$MODEL")
if [ ! -f "$MODEL/card.json" ]; then
  # A checkout without the bundled model (e.g. a trimmed copy): the viewer
  # plays the demo without a map and says so; choose any trained AVOL-Net
  # folder with Model ▸ Choose model folder….
  echo "run-viewer: no AVOL-Net model in $MODEL (training/recipes/cpu-shipped-models.sh makes one)" >&2
  MODEL_ARGS=()
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # No screen to open a window on (e.g. an ssh session): do the same job
  # headless and write the overlay video instead.
  mkdir -p out
  echo "run-viewer: no display; writing the overlay video out/demo-overlay.mp4 instead" >&2
  [ ${#MODEL_ARGS[@]} -gt 0 ] || { echo "run-viewer: without a model there is no overlay to write" >&2; exit 1; }
  exec "$BUILD_DIR/app/soundspot-cli" localize "${1:-$DEMO}" "${MODEL_ARGS[@]}" --out out/demo-overlay.mp4
fi
exec "$BUILD_DIR/app/soundspot" "${@:-$DEMO}" "${MODEL_ARGS[@]}"
