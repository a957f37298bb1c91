#!/usr/bin/env bash
# Puts the files that gpu-shipped-models.sh left in the device's $OUT back
# together as model folders: resources/models/{avol,ave,l3} (or DEST).
# Usage: bash training/recipes/unpack-gpu-results.sh FILES_AT [DEST]
set -euo pipefail
SRC="${1:?usage: unpack-gpu-results.sh FILES_AT [DEST]}"
DEST="${2:-$(dirname "$0")/../../resources/models}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -xzf "$SRC/rest.tar.gz" -C "$tmp"
for arch in avol ave l3; do
  for part in vision audio; do cp "$SRC/$arch-$part.safetensors" "$tmp/models/$arch/$part.safetensors"; done
  rm -rf "$DEST/$arch.new"; mkdir -p "$DEST"
  cp -r "$tmp/models/$arch" "$DEST/$arch.new"
  rm -rf "$DEST/$arch"; mv "$DEST/$arch.new" "$DEST/$arch"
  echo "unpack: $DEST/$arch"
done
cp "$tmp/bench-train.json" "$(dirname "$0")/../../docs/gpu-bench-train.json"
