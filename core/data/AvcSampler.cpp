#include "core/data/AvcSampler.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>

namespace soundspot::data {

namespace {
constexpr double kRate = 48000.0;

// splitmix64: decorrelates nearby (seed, step, index) triples.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

size_t uniformIndex(std::mt19937_64& rng, size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}
}  // namespace

uint64_t AvcSampler::streamSeed(uint64_t seed, int64_t step, int64_t index) {
  return mix(mix(mix(seed) ^ static_cast<uint64_t>(step)) ^ static_cast<uint64_t>(index));
}

AvcSampler::AvcSampler(std::vector<ClipTiming> clips, const SamplerOptions& opts)
    : clips_(std::move(clips)), opts_(opts) {
  for (size_t i = 0; i < clips_.size(); ++i)
    if (clips_[i].frameTimes.empty()) throw Error("AVC sampler", "clip #" + std::to_string(i) + " has no frames");
  if (clips_.size() < 2)
    throw Error("AVC sampler", "needs at least two usable clips (negatives take audio from another clip), got " +
                                   std::to_string(clips_.size()));
}

int64_t AvcSampler::frameCount() const {
  int64_t n = 0;
  for (const auto& c : clips_) n += static_cast<int64_t>(c.frameTimes.size());
  return n;
}

double AvcSampler::audioCentreOnGrid(size_t clip, std::mt19937_64& rng) const {
  const auto& t = clips_[clip].frameTimes;
  return t[uniformIndex(rng, t.size())];
}

double AvcSampler::audioCentreAnywhere(size_t clip, std::mt19937_64& rng) const {
  // Any sample offset whose window lies inside the clip (or anywhere in a
  // clip shorter than 1 s), at sample precision.
  const double d = clips_[clip].duration;
  const double lo = d >= 1.0 ? 0.5 : 0.0, hi = d >= 1.0 ? d - 0.5 : d;
  const int64_t a = static_cast<int64_t>(std::ceil(lo * kRate)), b = static_cast<int64_t>(std::floor(hi * kRate));
  return static_cast<double>(std::uniform_int_distribution<int64_t>(a, std::max(a, b))(rng)) / kRate;
}

double AvcSampler::misalignedCentre(size_t clip, double frameTime, std::mt19937_64& rng) const {
  const double m = opts_.misalignSeconds;
  if (!opts_.frameGridFix) {
    const double lo = frameTime - m, hi = frameTime + m;
    return std::round(std::uniform_real_distribution<double>(lo, hi)(rng) * kRate) / kRate;
  }
  // On the grid: one of the clip's frame timestamps within +-m of the frame.
  const auto& t = clips_[clip].frameTimes;
  const auto first = std::lower_bound(t.begin(), t.end(), frameTime - m - 1e-9);
  const auto last = std::upper_bound(t.begin(), t.end(), frameTime + m + 1e-9);
  const size_t n = static_cast<size_t>(last - first);
  return n == 0 ? frameTime : *(first + static_cast<std::ptrdiff_t>(uniformIndex(rng, n)));
}

PairDraw AvcSampler::positive(std::mt19937_64& rng) const {
  PairDraw d;
  d.frameClip = uniformIndex(rng, clips_.size());
  d.frameIndex = uniformIndex(rng, clips_[d.frameClip].frameTimes.size());
  d.frameTime = clips_[d.frameClip].frameTimes[d.frameIndex];
  d.audioClip = d.frameClip;
  d.audioCentre = opts_.misalignSeconds > 0 ? misalignedCentre(d.frameClip, d.frameTime, rng) : d.frameTime;
  d.corresponds = true;
  return d;
}

PairDraw AvcSampler::negative(std::mt19937_64& rng) const {
  PairDraw d;
  d.frameClip = uniformIndex(rng, clips_.size());
  d.frameIndex = uniformIndex(rng, clips_[d.frameClip].frameTimes.size());
  d.frameTime = clips_[d.frameClip].frameTimes[d.frameIndex];
  // Another clip, uniformly among the others.
  d.audioClip = uniformIndex(rng, clips_.size() - 1);
  if (d.audioClip >= d.frameClip) ++d.audioClip;
  d.audioCentre = opts_.frameGridFix ? audioCentreOnGrid(d.audioClip, rng) : audioCentreAnywhere(d.audioClip, rng);
  d.corresponds = false;
  return d;
}

PairDraw AvcSampler::draw(uint64_t seed, int64_t step, int64_t index, bool positivesOnly) const {
  std::mt19937_64 rng(streamSeed(seed, step, index));
  return (positivesOnly || index % 2 == 0) ? positive(rng) : negative(rng);
}

}  // namespace soundspot::data
