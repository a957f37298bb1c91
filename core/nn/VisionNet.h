#pragma once
// The vision subnetwork (paper Fig. 2a): B x 3 x 224 x 224 -> B x 8w x 14 x 14.
#include "core/nn/ConvStack.h"

namespace soundspot::nn {

class VisionNetImpl : public ConvStackImpl {
 public:
  explicit VisionNetImpl(int width, Tower tower = Tower::Paper) : ConvStackImpl(3, width, tower) {}
};
TORCH_MODULE(VisionNet);

}  // namespace soundspot::nn
