#!/usr/bin/env bash
# Remakes the committed seed corpora under tests/fuzz/corpus/ (run from anywhere):
#   bash tests/fuzz/make-seeds.sh
# Builds fuzz_make_seeds in build-fuzz (see run.sh) for the files SoundSpot's
# own writers make (weights, model folders, .npy, asset pack, index, dataset,
# class mapping) and makes tiny media with the ffmpeg CLI: every container
# and codec family the readers meet, a rotated and a non-square-pixel clip,
# and truncated / bit-flipped copies.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${SOUNDSPOT_FUZZ_BUILD:-$ROOT/build-fuzz}
CORPUS=$ROOT/tests/fuzz/corpus
bash "$ROOT/tests/fuzz/run.sh" --build-only
rm -rf "$CORPUS"
mkdir -p "$CORPUS"
"$BUILD/tests/fuzz/fuzz_make_seeds" "$CORPUS" "$ROOT"

M=$CORPUS/fuzz_media
mkdir -p "$M"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# 0.4 s of a moving test pattern and a tone; small sizes keep each file a few KB.
V="testsrc2=size=32x24:rate=10:duration=0.4"
A="sine=frequency=440:sample_rate=16000:duration=0.4"
ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libx264 -preset ultrafast -g 3 -pix_fmt yuv420p -c:a aac -b:a 16k "$M/h264-aac.mp4"
ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libvpx -b:v 50k -g 3 -c:a libvorbis -ar 16000 -ac 1 "$M/vp8-vorbis.webm"
ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v libvpx-vp9 -b:v 50k -g 3 -c:a libopus -b:a 16k "$M/vp9-opus.webm"
ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v mjpeg -q:v 20 -c:a flac "$M/mjpeg-flac.mkv"
ff -f lavfi -i "$V" -f lavfi -i "$A" -c:v mpeg4 -q:v 20 -c:a libmp3lame -b:a 16k "$M/mpeg4-mp3.avi"
ff -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=0.3" -c:a pcm_s16le -ac 2 "$M/pcm-stereo.wav"
ff -f lavfi -i "$A" -c:a libvorbis "$M/vorbis.ogg"
ff -f lavfi -i "testsrc2=size=32x24:rate=1:duration=1" -frames:v 1 -q:v 10 "$M/still.jpg"
# Variable frame rate (timestamps set per frame) in MPEG-TS, which starts late.
ff -f lavfi -i "$V" -f lavfi -i "$A" -vf "setpts=PTS+gt(N\\,2)*0.05/TB" -fps_mode vfr -c:v libx264 -preset ultrafast -c:a mp2 -b:a 32k "$M/vfr.ts"
# Non-square pixels (fuzz_make_seeds adds rotated and anamorphic clips of SoundSpot's writer).
ff -f lavfi -i "$V" -vf setsar=16/11 -c:v libx264 -preset ultrafast "$M/sar-16-11.mp4"
# Damaged, as tests/core/media makes them: truncated and bit-flipped copies.
head -c $(( $(stat -c %s "$M/h264-aac.mp4") / 2 )) "$M/h264-aac.mp4" > "$M/bad-truncated-half.mp4"
head -c $(( $(stat -c %s "$M/vp8-vorbis.webm") * 9 / 10 )) "$M/vp8-vorbis.webm" > "$M/bad-truncated-90.webm"
python3 - "$M" <<'PY'
import sys, random
d = sys.argv[1]
random.seed(1)
for src, dst in [("h264-aac.mp4", "bad-flipped.mp4"), ("mjpeg-flac.mkv", "bad-flipped.mkv")]:
    b = bytearray(open(f"{d}/{src}", "rb").read())
    for _ in range(8):
        b[random.randrange(len(b))] ^= 1 << random.randrange(8)
    open(f"{d}/{dst}", "wb").write(b)
open(f"{d}/bad-noise.bin", "wb").write(bytes(random.randrange(256) for _ in range(2000)))
PY
du -sh "$CORPUS"/*
