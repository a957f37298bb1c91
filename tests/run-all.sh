#!/usr/bin/env bash
# Sets everything up (packages, build) and runs the whole test suite with
# CTest: widget tests on the offscreen platform, GL tests under Xvfb, audio
# through a PulseAudio null sink; then the sanitizer stage
# (tests/run-sanitizers.sh: the core suites under ASan + UBSan, every fuzz
# target for 30 s). Arguments go to CTest and select tests: with them, or
# with SOUNDSPOT_SANITIZERS=0, the sanitizer stage is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/build.sh
BUILD_DIR="${SOUNDSPOT_BUILD_DIR:-build}"

cleanup() { [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
            [ -n "${PULSE_PID:-}" ] && kill "$PULSE_PID" 2>/dev/null || true; }
trap cleanup EXIT

if [ -z "${DISPLAY:-}" ]; then
  export DISPLAY=:97
  Xvfb "$DISPLAY" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -e /tmp/.X11-unix/X97 ] && break; sleep 0.1; done
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
if ! pactl info >/dev/null 2>&1; then
  pulseaudio -n --daemonize=no --exit-idle-time=-1 --system=false \
    -L "module-null-sink sink_name=null" -L module-native-protocol-unix -L module-always-sink \
    >/dev/null 2>&1 &
  PULSE_PID=$!
  sleep 1
fi
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-xcb}"
(cd "$BUILD_DIR" && ctest --output-on-failure -j 2 "$@")
if [ $# -eq 0 ] && [ "${SOUNDSPOT_SANITIZERS:-1}" != 0 ]; then
  bash tests/run-sanitizers.sh 30
fi
