#pragma once
// L3-Net (paper Fig. 2d, Arandjelovic & Zisserman ICCV 2017): both towers
// global max-pooled and concatenated (8w + 8w), fc -> 128, ReLU, fc -> 2.
#include "core/nn/AudioNet.h"
#include "core/nn/VisionNet.h"

#include <torch/torch.h>

namespace soundspot::nn {

class L3NetImpl : public torch::nn::Module {
 public:
  explicit L3NetImpl(int width, int hidden = 128, Tower tower = Tower::Paper);
  // B x 16w: pooled vision features then pooled audio features (1024-D at
  // the paper's width); compared through CCA for retrieval.
  torch::Tensor features(const torch::Tensor& images, const torch::Tensor& spectrograms);
  torch::Tensor imageFeatures(const torch::Tensor& images);        // B x 8w
  torch::Tensor audioFeatures(const torch::Tensor& spectrograms);  // B x 8w
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& spectrograms);  // B x 2
  // Every image against every audio through the head: N x M correspondence
  // scores (the "corresponds" minus "does not" logit) from N x 8w image and
  // M x 8w audio features. fc1 of a concatenation is the sum of its image and
  // audio halves, so the towers and half of fc1 run once per sample.
  torch::Tensor pairScores(const torch::Tensor& imageFeatures, const torch::Tensor& audioFeatures);

  VisionNet vision{nullptr};
  AudioNet audio{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(L3Net);

}  // namespace soundspot::nn
