#!/usr/bin/env bash
# Installs every Debian package SoundSpot needs to build, run, test and make
# its data. Idempotent: does nothing (and needs no root) when all is present.
# What and why:
#   build  compilers, CMake, LibTorch, Qt 6, FFmpeg, FFTW3, spdlog, JSON, CLI11, zstd, FluidSynth
#   run    OpenBLAS (Debian LibTorch otherwise runs on the reference BLAS: 4x slower
#          linear layers), Qt platform plugins, GStreamer (the viewer's audio output)
#   test   Xvfb and PulseAudio (GL and audio tests without a screen or sound card);
#          FFmpeg's CLI (ffmpeg, ffprobe) makes the real-world media the tests open
#          (webm, mkv, mov, rotated, variable frame rate) and is the colour reference
#   data   the images, recordings, backgrounds and SoundFonts the scenes are made from
#   npm    Debian's npm (with Node.js) when no npm is on PATH: the pinned emoji
#          artwork (openmoji, twemoji) comes from the npm registry, used exactly
#          as this machine's npm is configured
set -euo pipefail
fail() { echo "install-deps: $*" >&2; exit 1; }

BUILD=(cmake ninja-build g++ pkg-config git ccache
       libtorch-dev
       qt6-base-dev libqt6opengl6-dev qt6-multimedia-dev qt6-svg-dev qt6-charts-dev
       libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
       libfftw3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
       libzstd-dev libfluidsynth-dev libgl-dev
       libgloo-dev)  # Gloo headers: c10d's ProcessGroupGloo (data-parallel training, training/Distributed.cpp)
RUN=(libopenblas0-openmp qt6-qpa-plugins gstreamer1.0-plugins-good gstreamer1.0-plugins-base gstreamer1.0-libav
     qml6-module-qtmultimedia)
TEST=(xvfb xauth x11-utils pulseaudio pulseaudio-utils dpkg-dev file ffmpeg
      python3)  # the recipe's model soup (training/recipes/average-models.py), run by TestModelSoup
DATA=(qabcs-data gcompris-qt-data plasma-workspace-wallpapers openclipart-png
      lmms-common hydrogen-drumkits sonic-pi-samples fluid-soundfont-gm fluid-soundfont-gs
      timgm6mb-soundfont csound-soundfont musescore-general-soundfont-small tuxpaint-stamps-default
      scratch)  # Scratch 1.4's media library: the scratch-media finding's class file

# Emoji artwork (more drawn instances per class), pinned, from the npm registry.
NPM_DIR="${SOUNDSPOT_NPM_DIR:-/usr/local/share/soundspot/npm/node_modules}"
NPM_PACKAGES=(openmoji@15.0.0 @twemoji/svg@15.0.0)
install_npm() {
  if [ -f "$NPM_DIR/openmoji/package.json" ] && [ -f "$NPM_DIR/@twemoji/svg/package.json" ]; then return 0; fi
  command -v npm >/dev/null || fail "npm is missing and could not be installed (apt-get install npm); it fetches the emoji artwork"
  local prefix; prefix="$(dirname "$NPM_DIR")"
  echo "install-deps: npm install ${NPM_PACKAGES[*]} into $prefix"
  local sudo=""; [ "$(id -u)" -ne 0 ] && [ ! -w "$(dirname "$prefix")" ] && sudo="sudo"
  $sudo mkdir -p "$prefix"
  $sudo npm install --silent --no-audit --no-fund --prefix "$prefix" "${NPM_PACKAGES[@]}" >/dev/null ||
    fail "npm install ${NPM_PACKAGES[*]} failed (no access to the npm registry?); the emoji artwork is needed by 'soundspot-cli pack'"
}

# sanitizers  only with --sanitizers (tests/run-sanitizers.sh, CI): clang with its
#             ASan/UBSan runtime and libFuzzer
SANITIZERS=(clang libclang-rt-14-dev libfuzzer-14-dev)

ALL=("${BUILD[@]}" "${RUN[@]}" "${TEST[@]}" "${DATA[@]}")
case "${1:-}" in
  "") ;;
  --sanitizers) ALL+=("${SANITIZERS[@]}") ;;
  *) fail "unknown option ${1} (usage: install-deps.sh [--sanitizers])" ;;
esac
# An npm already on PATH (e.g. from nodesource or nvm) is used as it is.
command -v npm >/dev/null || ALL+=(npm)

missing=()
for p in "${ALL[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#ALL[@]} packages present"
  install_npm
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "need root or sudo to install: ${missing[*]}"
  SUDO="sudo"
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || fail "apt-get update failed (no network or no Debian mirror?)"
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  fail "apt-get install failed for: ${missing[*]}"
echo "install-deps: done"
install_npm
