#include "tests/support/MediaFixtures.h"

#include "core/common/AtomicFile.h"
#include "core/media/MediaWriter.h"

#include <cmath>
#include <vector>

namespace soundspot::test {

namespace {
constexpr int kGrid = 4;  // 4x4 blocks = 16 bits

void writeIndexedClip(const std::filesystem::path& path, double seconds, double fps, int width, int height,
                      int audioRate, double toneHz, bool variableFrameRate, double onsetSeconds) {
  media::MediaWriter writer(path.string(), width, height, fps, audioRate, 18);
  for (int64_t k = 0;; ++k) {
    const double t = indexedFrameTime(k, fps, variableFrameRate);
    if (t >= seconds - 1e-9) break;
    const media::RgbFrame f = drawIndexFrame(static_cast<int>(k), width, height);
    if (variableFrameRate) writer.addFrame(f.rgb.data(), t);
    else writer.addFrame(f.rgb.data());
  }
  if (audioRate > 0) {
    const auto n = static_cast<size_t>(std::llround(seconds * audioRate));
    std::vector<float> tone(n, 0.f);
    for (size_t i = 0; i < n; ++i) {
      const double t = double(i) / audioRate;
      if (t >= onsetSeconds) tone[i] = static_cast<float>(0.5 * std::sin(2 * M_PI * toneHz * t));
    }
    writer.addAudio(tone.data(), tone.size());
  }
  writer.finish();
}
}  // namespace

double indexedFrameTime(int64_t k, double fps, bool variableFrameRate) {
  if (!variableFrameRate) return double(k) / fps;
  return (double(k) + (k % 2 == 1 ? 0.4 : 0.0)) / fps;
}

media::RgbFrame drawIndexFrame(int index, int width, int height) {
  media::RgbFrame f;
  f.width = width;
  f.height = height;
  f.index = index;
  f.rgb.resize(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int bit = (y * kGrid / height) * kGrid + (x * kGrid / width);
      const bool on = (index >> (kGrid * kGrid - 1 - bit)) & 1;
      uint8_t* p = &f.rgb[(static_cast<size_t>(y) * width + x) * 3];
      p[0] = p[1] = p[2] = on ? 255 : 0;
    }
  return f;
}

int decodeFrameIndex(const media::RgbFrame& frame) {
  int index = 0;
  for (int by = 0; by < kGrid; ++by)
    for (int bx = 0; bx < kGrid; ++bx) {
      // The central half of each block: edges blur under compression.
      const int x0 = (bx * frame.width) / kGrid, x1 = ((bx + 1) * frame.width) / kGrid;
      const int y0 = (by * frame.height) / kGrid, y1 = ((by + 1) * frame.height) / kGrid;
      double sum = 0;
      int n = 0;
      for (int y = y0 + (y1 - y0) / 4; y < y1 - (y1 - y0) / 4; ++y)
        for (int x = x0 + (x1 - x0) / 4; x < x1 - (x1 - x0) / 4; ++x) {
          const uint8_t* p = &frame.rgb[(static_cast<size_t>(y) * frame.width + x) * 3];
          sum += (p[0] + p[1] + p[2]) / 3.0;
          ++n;
        }
      index = (index << 1) | (n > 0 && sum / n > 127.5 ? 1 : 0);
    }
  return index;
}

void makeIndexedClip(const std::filesystem::path& path, double seconds, double fps, int width, int height,
                     int audioRate, double toneHz, bool variableFrameRate) {
  writeIndexedClip(path, seconds, fps, width, height, audioRate, toneHz, variableFrameRate, 0.0);
}

void makeToneOnsetClip(const std::filesystem::path& path, double seconds, double fps, int width, int height,
                       int audioRate, double toneHz, double onsetSeconds) {
  writeIndexedClip(path, seconds, fps, width, height, audioRate, toneHz, false, onsetSeconds);
}

void makeNoAudioClip(const std::filesystem::path& path, double seconds, double fps, int width, int height) {
  writeIndexedClip(path, seconds, fps, width, height, 0, 0.0, false, 0.0);
}

void makeTruncatedCopy(const std::filesystem::path& src, const std::filesystem::path& dst, double fraction) {
  std::string bytes = readFile(src);
  bytes.resize(static_cast<size_t>(bytes.size() * fraction));
  writeFileAtomically(dst, bytes);
}

}  // namespace soundspot::test
