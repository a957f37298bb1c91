#pragma once
// Generated fixture media for the tests (never downloaded). Every frame of an
// indexed clip shows its own index as a 4x4 grid of black/white blocks (16
// bits, row-major, most significant first), big enough to survive H.264, so a
// test can tell exactly which frame a reader returned.
#include "core/media/RgbFrame.h"

#include <filesystem>

namespace soundspot::test {

// Presentation time of frame k in an indexed clip. Variable frame rate
// alternates intervals of 1.4/fps and 0.6/fps (average fps).
double indexedFrameTime(int64_t k, double fps, bool variableFrameRate);

// Frames at indexedFrameTime(k) for every time < seconds; mono sine of toneHz
// (amplitude 0.5) over the whole clip at audioRate; H.264 + AAC mp4.
void makeIndexedClip(const std::filesystem::path& path, double seconds, double fps, int width, int height,
                     int audioRate = 44100, double toneHz = 1000.0, bool variableFrameRate = false);

// Like makeIndexedClip but the audio is silent until onsetSeconds, then the tone.
void makeToneOnsetClip(const std::filesystem::path& path, double seconds, double fps, int width, int height,
                       int audioRate, double toneHz, double onsetSeconds);

// An indexed clip without an audio stream.
void makeNoAudioClip(const std::filesystem::path& path, double seconds, double fps, int width, int height);

// The index drawn by makeIndexedClip, read back from a decoded frame.
int decodeFrameIndex(const media::RgbFrame& frame);

// The picture makeIndexedClip draws for frame `index` (packed RGB24).
media::RgbFrame drawIndexFrame(int index, int width, int height);

// Copies the first `fraction` of src's bytes to dst (a truncated download).
void makeTruncatedCopy(const std::filesystem::path& src, const std::filesystem::path& dst, double fraction = 0.5);

}  // namespace soundspot::test
