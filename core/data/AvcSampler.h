#pragma once
// The paper's audio-visual correspondence sampling (Arandjelovic & Zisserman,
// "Objects that Sound", sec. 3): a positive is a random frame of a random clip
// with the 1 s of audio centred on it; a negative is a frame with 1 s of audio
// from a DIFFERENT clip. With the frame-grid fix (the paper's remedy for a
// low-level shortcut) every audio window is centred on a video frame
// timestamp of its own clip, negatives included, so that audio offsets carry
// no hint; without it negative audio is centred at an arbitrary sample.
// Pure bookkeeping on timestamps: no decoding, no torch.
#include "core/data/SamplerOptions.h"

#include <cstdint>
#include <random>
#include <vector>

namespace soundspot::data {

struct ClipTiming {
  double duration = 0;             // seconds
  std::vector<double> frameTimes;  // frames that may be drawn (on the clip's frame grid), ascending
};

struct PairDraw {
  size_t frameClip = 0;    // index into the sampler's clips
  size_t frameIndex = 0;   // index into frameTimes of frameClip
  double frameTime = 0;
  size_t audioClip = 0;
  double audioCentre = 0;  // seconds in audioClip
  bool corresponds = false;
};

class AvcSampler {
 public:
  // Needs at least two clips, each with frames (negatives come from another clip).
  AvcSampler(std::vector<ClipTiming> clips, const SamplerOptions& opts);

  PairDraw positive(std::mt19937_64& rng) const;
  PairDraw negative(std::mt19937_64& rng) const;
  // Sample `index` of batch `step`: its own random stream derived from
  // (seed, step, index), so a batch is the same whatever the thread order
  // and after seek(). In Avc mode even indices are positives, odd negatives.
  PairDraw draw(uint64_t seed, int64_t step, int64_t index, bool positivesOnly) const;

  size_t clipCount() const { return clips_.size(); }
  const ClipTiming& timing(size_t clip) const { return clips_[clip]; }
  int64_t frameCount() const;

  static uint64_t streamSeed(uint64_t seed, int64_t step, int64_t index);

 private:
  double audioCentreOnGrid(size_t clip, std::mt19937_64& rng) const;
  double audioCentreAnywhere(size_t clip, std::mt19937_64& rng) const;
  double misalignedCentre(size_t clip, double frameTime, std::mt19937_64& rng) const;

  std::vector<ClipTiming> clips_;
  SamplerOptions opts_;
};

}  // namespace soundspot::data
