#pragma once
// Several separately trained AVOL-Nets answering as one (an ensemble model
// folder, EnsembleFolder.h, or `eval --model A --model B`). The map's logit
// at each position is the mean of the members' calibrated logits, so its
// maximum (the correspondence score) and its sigmoid follow from the same
// numbers the viewer shows. The regions and the audio embedding are the
// members' side by side, each member's unit length (cosine members) and
// scaled by 1/sqrt(N), so that a dot product between two regions, or a region
// and the audio, is the mean of the members' cosines: retrieval and region
// search compare them as they would one network's.
#include "core/nn/AvolNet.h"

#include <vector>

namespace soundspot::nn {

class AvolEnsembleImpl : public AvolNetImpl {
 public:
  // Throws Error when `members` is empty or their embedding sizes differ.
  explicit AvolEnsembleImpl(std::vector<AvolNet> members);
  torch::Tensor visualRegions(const torch::Tensor& images) override;         // B x N*D x 14 x 14
  torch::Tensor audioEmbedding(const torch::Tensor& spectrograms) override;  // B x N*D
  torch::Tensor mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) override;

 private:
  torch::Tensor sideBySide(const std::vector<torch::Tensor>& parts, int64_t dim) const;
  std::vector<AvolNet> members_;
  int64_t memberDim_ = 0;
};

// The ensemble behind the AvolNet holder that every caller already uses.
AvolNet makeAvolEnsemble(std::vector<AvolNet> members);

}  // namespace soundspot::nn
