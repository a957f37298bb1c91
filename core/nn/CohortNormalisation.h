#pragma once
// Test-time normalisation of AVOL-Net's region-audio similarities against a
// cohort of training embeddings, an experiment that did not help (kept
// as a finding: docs/TRAINING-STUDY.md, "Normalising the scores against a
// cohort"). Off unless the environment asks for it:
//   SOUNDSPOT_COHORT_NORM=MODE   one of
//     region-z      (s - mean) / std of each region's similarities to the audio cohort
//     region-mean   s - that mean
//     region-top10  s - the mean of each region's 10 highest (CSLS-like)
//     map-mean      s - the mean of the map (no cohort)
//     audio-z       (s - mean) / std of the audio's map maxima over the frame cohort
//     audio-mean    s - that mean
//   SOUNDSPOT_AUDIO_COHORT=FILE  N x 128 float32 unit rows (an index's audio.f32)
//   SOUNDSPOT_FRAME_COHORT=FILE  K x 128 x 196 float32 unit region embeddings,
//                                written by SOUNDSPOT_DUMP_REGIONS=FILE
// Every mode is monotone within a map except region-*, so only those can
// move pointing; the mismatch AUROC compares maxima across maps.
#include <torch/torch.h>

#include <memory>
#include <string>

namespace soundspot::nn {

class CohortNormalisation {
 public:
  // nullptr unless SOUNDSPOT_COHORT_NORM is set; throws Error naming a bad
  // mode or an unreadable cohort file.
  static std::shared_ptr<CohortNormalisation> fromEnvironment();
  // Appends unit-length regions (B x 128 x 14 x 14) to SOUNDSPOT_DUMP_REGIONS when set.
  static void dumpRegions(const torch::Tensor& regions);

  // similarity: B x 1 x 14 x 14 cosines of `regions` (B x 128 x 14 x 14)
  // with `audio` (B x 128, or 1 x 128 for all); returns the normalised
  // similarity, shifted to sit near the cosines' range.
  torch::Tensor apply(const torch::Tensor& similarity, const torch::Tensor& regions, const torch::Tensor& audio) const;

 private:
  std::string mode_;
  torch::Tensor audioCohort_;  // N x 128
  torch::Tensor frameCohort_;  // K x 128 x 196
};

}  // namespace soundspot::nn
