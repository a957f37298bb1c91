#pragma once
// The conv tower shared by the vision and audio subnetworks (paper Fig. 2a/b):
// four blocks of two 3x3 convs with w, 2w, 4w, 8w channels, each conv
// followed by BatchNorm and ReLU, 2x2 max-pool after the first three blocks,
// stride 2 in the very first conv.
//
// Every conv has padding 1 and no bias (the BatchNorm after it has its own
// shift); pooling floors odd sizes. Hence
//   224x224 -> 112 -> 56 -> 28 -> 14          (vision: 8w x 14 x 14)
//   257x200 -> 129x100 -> 64x50 -> 32x25 -> 16x12 (audio: 8w x 16 x 12)
//
// Tower::Compact (CPU): a 4x4 stride-4 stem (w), one 3x3 conv to 2w, pool,
// two 3x3 convs to 4w, pool, two to 8w; every conv with BN + ReLU. It skips
// the full-resolution first block, where the paper's tower spends most of
// its memory traffic, and gives the same output grids:
//   224x224 -> 56 -> 28 -> 14                       (vision: 8w x 14 x 14)
//   257x200 -> 64x50 -> 32x25 -> 16x12              (audio: 8w x 16 x 12)
#include "core/nn/NetConfig.h"

#include <torch/torch.h>

namespace soundspot::nn {

class ConvStackImpl : public torch::nn::Module {
 public:
  ConvStackImpl(int inChannels, int width, Tower tower = Tower::Paper);
  torch::Tensor forward(const torch::Tensor& x);
  int outChannels() const { return outChannels_; }

 private:
  torch::nn::Sequential layers_{nullptr};
  int outChannels_ = 0;
};
TORCH_MODULE(ConvStack);

}  // namespace soundspot::nn
