#include "training/SpectrogramMasks.h"

#include <algorithm>
#include <random>

namespace soundspot::training {

void applySpectrogramMasks(torch::Tensor& spectrograms, const SpectrogramMasks& masks, uint64_t seed) {
  TORCH_CHECK(spectrograms.dim() == 4, "spectrograms must be [B, 1, F, T]");
  const int64_t B = spectrograms.size(0), F = spectrograms.size(2), T = spectrograms.size(3);
  // A band masks whole rows and a stretch whole columns: drawn per sample as
  // two 1-D masks on the CPU (a few bytes), combined by broadcasting on the
  // tensor's device.
  auto keepBins = torch::ones({B, 1, F, 1}, torch::kBool), keepFrames = torch::ones({B, 1, 1, T}, torch::kBool);
  auto bins = keepBins.accessor<bool, 4>();
  auto frames = keepFrames.accessor<bool, 4>();
  for (int64_t b = 0; b < B; ++b) {
    std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), uint32_t(b)};
    std::mt19937_64 rng(seq);
    auto band = [&](int64_t size, int maxWidth) {
      const int64_t width = std::uniform_int_distribution<int64_t>(0, std::min<int64_t>(maxWidth, size))(rng);
      const int64_t from = std::uniform_int_distribution<int64_t>(0, size - width)(rng);
      return std::make_pair(from, from + width);
    };
    for (int m = 0; m < masks.frequencyMasks; ++m) {
      const auto [f0, f1] = band(F, masks.maxFrequencyBins);
      for (int64_t f = f0; f < f1; ++f) bins[b][0][f][0] = false;
    }
    for (int m = 0; m < masks.timeMasks; ++m) {
      const auto [t0, t1] = band(T, masks.maxTimeFrames);
      for (int64_t t = t0; t < t1; ++t) frames[b][0][0][t] = false;
    }
  }
  const auto keep = keepBins.logical_and(keepFrames).to(spectrograms.device());
  const auto mean = spectrograms.mean({1, 2, 3}, /*keepdim=*/true).expand_as(spectrograms);
  spectrograms.copy_(torch::where(keep, spectrograms, mean));
}

}  // namespace soundspot::training
