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
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  # No screen to open a window on (e.g. an ssh session): do the same job
  # headless and write the overlay video instead.
  mkdir -p out
  echo "run-viewer: no display; writing the overlay video out/demo-overlay.mp4 instead" >&2
  exec "$BUILD_DIR/app/soundspot-cli" localize "${1:-$DEMO}" --model "$MODEL" --out out/demo-overlay.mp4
fi
exec "$BUILD_DIR/app/soundspot" "${@:-$DEMO}" --model "$MODEL"
