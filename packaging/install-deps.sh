#!/usr/bin/env bash
# Installs every Debian package SoundSpot needs to build, run, test and make
# its data. Idempotent: does nothing (and needs no root) when all is present.
set -euo pipefail

BUILD=(cmake ninja-build g++ pkg-config git ccache
       libtorch-dev
       qt6-base-dev libqt6opengl6-dev qt6-multimedia-dev qt6-svg-dev qt6-charts-dev
       libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
       libfftw3-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
       libzstd-dev libfluidsynth-dev libgl-dev)
RUN=(qt6-qpa-plugins gstreamer1.0-plugins-good gstreamer1.0-plugins-base gstreamer1.0-libav
     qml6-module-qtmultimedia)
TEST=(xvfb xauth x11-utils pulseaudio pulseaudio-utils dpkg-dev file)
DATA=(qabcs-data gcompris-qt-data plasma-workspace-wallpapers openclipart-png
      lmms-common hydrogen-drumkits sonic-pi-samples fluid-soundfont-gm)

ALL=("${BUILD[@]}" "${RUN[@]}" "${TEST[@]}" "${DATA[@]}")

missing=()
for p in "${ALL[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#ALL[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
