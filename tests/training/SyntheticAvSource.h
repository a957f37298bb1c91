#pragma once
// A tiny BatchSource with a real, learnable audio-visual correspondence: a
// frame shows a square of one of four colours at a random place over noise;
// its audio is a spectrogram with a tone band whose frequency is that
// colour's. Negatives pair the frame with another colour's tone. What sounds
// is told by appearance, not by position, as for real objects (a
// translation-equivariant localizer cannot tell positions apart). Deterministic
// for (seed, step), like the real sources. With an off-screen rate, that
// fraction of the positives shows no square (the tone's source is out of
// the frame) and the batch carries the ground-truth boxes like scenes do.
#include "core/data/BatchSource.h"

#include <ATen/CPUGeneratorImpl.h>

#include <random>

namespace soundspot::test {

class SyntheticAvSource : public data::BatchSource {
 public:
  explicit SyntheticAvSource(uint64_t seed, double offscreenRate = 0) : seed_(seed), offscreenRate_(offscreenRate) {}

  data::AvcBatch next(int64_t batchSize, data::PairMode mode) override {
    std::mt19937_64 rng(seed_ * 1000003ull + static_cast<uint64_t>(step_++));
    std::uniform_int_distribution<int> kind(0, 3), position(0, 160), other(1, 3);
    std::uniform_real_distribution<float> colour(0.5f, 2.0f), unit(0.f, 1.f);
    auto gen = at::detail::createCPUGenerator(rng());
    data::AvcBatch b;
    b.images = at::randn({batchSize, 3, 224, 224}, gen) * 0.3;
    b.spectrograms = at::randn({batchSize, 1, 257, 200}, gen) * 0.3;
    b.corresponds = torch::zeros({batchSize});
    b.audioIdentity = torch::zeros({batchSize}, torch::kLong);
    if (offscreenRate_ > 0) b.soundingBoxes = torch::full({batchSize, 4}, -1.f);
    for (int64_t i = 0; i < batchSize; ++i) {
      const int cls = kind(rng);
      const bool positive = mode == data::PairMode::PositivesOnly || i % 2 == 0;
      const int tone = positive ? cls : (cls + other(rng)) % 4;
      const int y = position(rng), x = position(rng);
      const float c = colour(rng);
      const bool offscreen = offscreenRate_ > 0 && unit(rng) < offscreenRate_;
      if (offscreenRate_ > 0 && !offscreen)
        b.soundingBoxes[i] = torch::tensor({x / 224.f, y / 224.f, (x + 64) / 224.f, (y + 64) / 224.f});
      auto square = b.images[i].slice(1, y, y + 64).slice(2, x, x + 64);
      // Red, green, blue, or red + green (yellow).
      for (int ch = 0; ch < 3; ++ch)
        if (!offscreen && (ch == cls || (cls == 3 && ch < 2))) square[ch] += c;
      b.spectrograms[i][0].slice(0, 30 + 50 * tone, 36 + 50 * tone) += 2.0;
      b.corresponds[i] = positive ? 1.0f : 0.0f;
      b.audioIdentity[i] = tone;
    }
    return b;
  }
  int64_t epochSize() const override { return 256; }
  void seek(int64_t step) override { step_ = step; }

 private:
  uint64_t seed_;
  double offscreenRate_;
  int64_t step_ = 0;
};

}  // namespace soundspot::test
