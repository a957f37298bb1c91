#pragma once
// AVOL-Net (paper Fig. 4): the vision tower keeps its 14x14 grid and embeds
// every region with 1x1 convs 8w->128, ReLU, 128->128; the audio tower is
// max-pooled and embedded by fc 8w->128, ReLU, fc 128->128 (no
// normalisation on either side; optionally the cosine instead, see
// NetConfig::similarity). The scalar product of the audio embedding
// with each region, calibrated by a 1x1 conv (a*x + b), is the localization
// map's logit; its maximum over the positions scores the correspondence.
#include "core/nn/AudioNet.h"
#include "core/nn/VisionNet.h"

#include <torch/torch.h>

namespace soundspot::nn {

class CohortNormalisation;

struct AvolOutput {
  torch::Tensor map;    // B x 14 x 14, sigmoid of the calibrated logits
  torch::Tensor logit;  // B, max over positions of the calibrated logits
};

class AvolNetImpl : public torch::nn::Module {
 public:
  explicit AvolNetImpl(int width, int embedDim = 128, bool cosine = false, Tower tower = Tower::Paper);
  // The three steps the viewer, retrieval and evaluation call are virtual:
  // an ensemble of AVOL-Nets (AvolEnsemble.h) answers them as one network.
  // B x 128 x 14 x 14; with flipAverage (inference only) the mean of the
  // frame's regions and its mirror image's, mirrored back.
  virtual torch::Tensor visualRegions(const torch::Tensor& images);
  virtual torch::Tensor audioEmbedding(const torch::Tensor& spectrograms);  // B x 128
  // B x 1 x 14 x 14 similarity of each region with the audio (scalar product,
  // or cosine when `cosine`), before the calibration.
  torch::Tensor similarity(const torch::Tensor& regions, const torch::Tensor& audioEmb);
  // B x 14 x 14 calibrated logits (before the sigmoid); regions and audio
  // embeddings of the same batch size, or one audio embedding for all.
  virtual torch::Tensor mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb);
  AvolOutput forward(const torch::Tensor& images, const torch::Tensor& spectrograms);

  VisionNet vision{nullptr};
  AudioNet audio{nullptr};
  torch::nn::Conv2d regionConv1{nullptr}, regionConv2{nullptr};
  torch::nn::Linear audioFc1{nullptr}, audioFc2{nullptr};
  torch::nn::Conv2d calibration{nullptr};
  bool cosine = false;  // compare unit-length embeddings (NetConfig::similarity)
  // Test-time flip averaging, an experiment: on when the environment has
  // SOUNDSPOT_FLIP_AVERAGE=1 (docs/TRAINING-STUDY.md, "Averaging with the mirrored frame").
  bool flipAverage = false;
  // Test-time normalisation against a cohort, an experiment (CohortNormalisation.h);
  // null unless SOUNDSPOT_COHORT_NORM is set.
  std::shared_ptr<const CohortNormalisation> cohortNormalisation;

 protected:
  AvolNetImpl() = default;  // for AvolEnsembleImpl: no towers of its own

 private:
  torch::Tensor regionsOf(const torch::Tensor& images);
};
TORCH_MODULE(AvolNet);

}  // namespace soundspot::nn
