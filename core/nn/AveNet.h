#pragma once
// AVE-Net (paper Fig. 2c): each tower is global max-pooled and embedded by
// fc 8w->128, ReLU, fc 128->128, then L2-normalised; the Euclidean distance
// between the two embeddings goes through FC(1->2) to the two-class logits.
#include "core/nn/AudioNet.h"
#include "core/nn/VisionNet.h"

#include <torch/torch.h>

namespace soundspot::nn {

class AveNetImpl : public torch::nn::Module {
 public:
  explicit AveNetImpl(int width, int embedDim = 128, Tower tower = Tower::Paper);
  torch::Tensor imageEmbedding(const torch::Tensor& images);       // B x 128, unit length
  torch::Tensor audioEmbedding(const torch::Tensor& spectrograms); // B x 128, unit length
  // B x 2 logits (index 1 = "corresponds") from the embeddings' distance.
  torch::Tensor logitsFromEmbeddings(const torch::Tensor& image, const torch::Tensor& audio);
  torch::Tensor forward(const torch::Tensor& images, const torch::Tensor& spectrograms);

  VisionNet vision{nullptr};
  AudioNet audio{nullptr};
  torch::nn::Linear visionFc1{nullptr}, visionFc2{nullptr};
  torch::nn::Linear audioFc1{nullptr}, audioFc2{nullptr};
  torch::nn::Linear distanceFc{nullptr};
};
TORCH_MODULE(AveNet);

}  // namespace soundspot::nn
