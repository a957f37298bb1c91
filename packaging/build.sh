#!/usr/bin/env bash
# Installs the dependencies (if missing) and builds SoundSpot into build/.
# Usage: bash packaging/build.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.ccache}"
export CCACHE_BASEDIR="$PWD"
BUILD_DIR="${SOUNDSPOT_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
