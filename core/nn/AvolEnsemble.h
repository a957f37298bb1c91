#pragma once
// Several separately trained AVOL-Nets answering as one (an ensemble model
// folder, EnsembleFolder.h, or `eval --model A --model B`). The map's logit
// at each position is a combination of the members' calibrated logits (their
// mean, or weights and a bias fitted on correspondence pairs by `ensemble
// --scenes`), so its maximum (the correspondence score) and its sigmoid
// follow from the same numbers the viewer shows. The regions and the audio
// embedding are the members' side by side, each member's unit length (cosine
// members) and scaled by 1/sqrt(N), so that a dot product between two
// regions, or a region and the audio, is the mean of the members' cosines:
// retrieval and region search compare them as they would one network's.
#include "core/nn/AvolNet.h"

#include <vector>

namespace soundspot::nn {

// Map logit = sum_i weights[i] * (member i's calibrated logit) + bias.
// No weights: the mean (1/N each) and no bias.
struct EnsembleCombination {
  std::vector<double> weights;
  double bias = 0;
};

class AvolEnsembleImpl : public AvolNetImpl {
 public:
  // Throws Error when `members` is empty, their embedding sizes differ, or
  // the combination does not fit them (see setCombination).
  explicit AvolEnsembleImpl(std::vector<AvolNet> members, EnsembleCombination combination = {});
  torch::Tensor visualRegions(const torch::Tensor& images) override;         // B x N*D x 14 x 14
  torch::Tensor audioEmbedding(const torch::Tensor& spectrograms) override;  // B x N*D
  torch::Tensor mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) override;
  // B x N x 14 x 14: every member's calibrated logits, before combining them.
  torch::Tensor memberLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb);
  const EnsembleCombination& combination() const { return combination_; }
  // Throws Error unless there is one finite weight >= 0 per member, not all
  // zero, and a finite bias (or no weights at all: the mean).
  void setCombination(EnsembleCombination combination);

 private:
  torch::Tensor sideBySide(const std::vector<torch::Tensor>& parts, int64_t dim) const;
  std::vector<AvolNet> members_;
  int64_t memberDim_ = 0;
  EnsembleCombination combination_;
};

// The ensemble behind the AvolNet holder that every caller already uses.
AvolNet makeAvolEnsemble(std::vector<AvolNet> members, EnsembleCombination combination = {});

}  // namespace soundspot::nn
