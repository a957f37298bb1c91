#pragma once
// A small synthetic asset pack whose ground truth is known independently of
// the composer: each class is a disc of one colour and a pure tone of one
// frequency, so a rendered frame and a sound can be checked by colour and pitch.
#include "core/data/AssetPack.h"

#include <cmath>

namespace soundspot::test {

inline const char* const kSceneFixtureClasses[] = {"Violin, fiddle", "Dog", "Piano", "Cat"};
inline const uint8_t kSceneFixtureColours[4][3] = {{250, 20, 20}, {20, 240, 20}, {20, 20, 250}, {240, 240, 20}};
inline const double kSceneFixtureTones[4] = {440, 880, 1320, 1760};

inline data::AssetPack sceneFixturePack() {
  data::AssetPack pack;
  for (int c = 0; c < 4; ++c) {
    pack.classes.push_back(kSceneFixtureClasses[c]);
    for (int k = 0; k < 2; ++k) {  // two instances each, so one can be held out
      data::PackImage im;
      im.id = "disc/" + std::to_string(c) + "-" + std::to_string(k);
      im.classId = c;
      im.drawing = k == 1;
      im.width = 60 + 10 * k, im.height = 80;
      im.rgba.assign(size_t(im.width) * im.height * 4, 0);
      for (int y = 0; y < im.height; ++y)
        for (int x = 0; x < im.width; ++x) {
          const double dx = (x + 0.5) / im.width - 0.5, dy = (y + 0.5) / im.height - 0.5;
          if (dx * dx + dy * dy > 0.2) continue;  // an ellipse inside a transparent surround
          uint8_t* p = &im.rgba[(size_t(y) * im.width + x) * 4];
          p[0] = kSceneFixtureColours[c][0], p[1] = kSceneFixtureColours[c][1], p[2] = kSceneFixtureColours[c][2], p[3] = 255;
        }
      pack.images.push_back(im);
      data::PackSound s;
      s.id = "tone/" + std::to_string(c) + "-" + std::to_string(k);
      s.classId = c;
      s.pcm.resize(size_t(data::kPackSampleRate) * (k == 0 ? 5 : 2));
      for (size_t i = 0; i < s.pcm.size(); ++i)
        s.pcm[i] = int16_t(20000 * std::sin(2 * M_PI * kSceneFixtureTones[c] * i / data::kPackSampleRate));
      s.heldOutFrom = int64_t(s.pcm.size());
      pack.sounds.push_back(s);
    }
  }
  for (int b = 0; b < 5; ++b) {  // dim grey gradients, far from every disc colour
    data::PackBackground bg;
    bg.id = "grey/" + std::to_string(b);
    bg.width = 400, bg.height = 240;
    bg.rgb.resize(size_t(bg.width) * bg.height * 3);
    for (int y = 0; y < bg.height; ++y)
      for (int x = 0; x < bg.width; ++x)
        for (int c = 0; c < 3; ++c) bg.rgb[(size_t(y) * bg.width + x) * 3 + c] = uint8_t(60 + (x + y + 10 * b) % 40);
    pack.backgrounds.push_back(bg);
  }
  return pack;
}

// Power of a frequency in a signal (Goertzel), to name the tone heard.
inline double tonePower(const float* x, size_t n, double freq) {
  const double w = 2 * M_PI * freq / data::kPackSampleRate, coeff = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < n; ++i) {
    const double s0 = x[i] + coeff * s1 - s2;
    s2 = s1, s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

inline int dominantToneClass(const float* x, size_t n) {
  int best = -1;
  double bestPower = 1e-3 * n * n;  // below this it is silence
  for (int c = 0; c < 4; ++c) {
    const double p = tonePower(x, n, kSceneFixtureTones[c]);
    if (p > bestPower) bestPower = p, best = c;
  }
  return best;
}

}  // namespace soundspot::test
