#include "core/data/Augment.h"

#include "core/data/ClipCache.h"

#include <algorithm>
#include <cmath>

namespace soundspot::data {

ImageJitter drawImageJitter(std::mt19937_64& rng, const AugmentRanges& r) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  ImageJitter j;
  j.cropW = r.minCropScale + (1.0 - r.minCropScale) * unit(rng);
  j.cropH = j.cropW;  // keep the aspect ratio of the frame
  j.cropX = (1.0 - j.cropW) * unit(rng);
  j.cropY = (1.0 - j.cropH) * unit(rng);
  j.flip = unit(rng) < 0.5;
  j.brightness = 1.0 + r.brightness * (2 * unit(rng) - 1);
  j.saturation = 1.0 + r.saturation * (2 * unit(rng) - 1);
  return j;
}

float drawGain(std::mt19937_64& rng, const AugmentRanges& r) {
  const double db = std::uniform_real_distribution<double>(-r.gainDb, r.gainDb)(rng);
  return static_cast<float>(std::pow(10.0, db / 20.0));
}

std::vector<uint8_t> augmentImage(const uint8_t* rgb, int w, int h, const ImageJitter& j) {
  const int x0 = std::clamp(static_cast<int>(std::lround(j.cropX * w)), 0, w - 1);
  const int y0 = std::clamp(static_cast<int>(std::lround(j.cropY * h)), 0, h - 1);
  const int cw = std::clamp(static_cast<int>(std::lround(j.cropW * w)), 1, w - x0);
  const int ch = std::clamp(static_cast<int>(std::lround(j.cropH * h)), 1, h - y0);
  std::vector<uint8_t> crop(static_cast<size_t>(cw) * ch * 3);
  for (int y = 0; y < ch; ++y) {
    const uint8_t* src = rgb + (static_cast<size_t>(y0 + y) * w + x0) * 3;
    std::copy(src, src + static_cast<size_t>(cw) * 3, crop.begin() + static_cast<std::ptrdiff_t>(y) * cw * 3);
  }
  std::vector<uint8_t> out = resizeRgb(crop.data(), cw, ch, w, h);
  for (int y = 0; y < h; ++y) {
    uint8_t* row = out.data() + static_cast<size_t>(y) * w * 3;
    if (j.flip)
      for (int a = 0, b = w - 1; a < b; ++a, --b) std::swap_ranges(row + a * 3, row + a * 3 + 3, row + b * 3);
    for (int x = 0; x < w; ++x) {
      uint8_t* p = row + x * 3;
      const double grey = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
      for (int c = 0; c < 3; ++c) {
        const double v = (grey + j.saturation * (p[c] - grey)) * j.brightness;
        p[c] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

void applyGain(float* samples, size_t n, float gain) {
  for (size_t i = 0; i < n; ++i) samples[i] = std::clamp(samples[i] * gain, -1.f, 1.f);
}

}  // namespace soundspot::data
