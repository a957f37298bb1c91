#pragma once
// The audio subnetwork (paper Fig. 2b): a log-spectrogram B x 1 x 257 x 200
// -> B x 8w x 16 x 12.
#include "core/nn/ConvStack.h"

namespace soundspot::nn {

class AudioNetImpl : public ConvStackImpl {
 public:
  explicit AudioNetImpl(int width, Tower tower = Tower::Paper) : ConvStackImpl(1, width, tower) {}
};
TORCH_MODULE(AudioNet);

}  // namespace soundspot::nn
