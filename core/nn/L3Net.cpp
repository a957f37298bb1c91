#include "core/nn/L3Net.h"

namespace soundspot::nn {

L3NetImpl::L3NetImpl(int width, int hidden, Tower tower) {
  vision = register_module("vision", VisionNet(width, tower));
  audio = register_module("audio", AudioNet(width, tower));
  fc1 = register_module("fc1", torch::nn::Linear(vision->outChannels() + audio->outChannels(), hidden));
  fc2 = register_module("fc2", torch::nn::Linear(hidden, 2));
}

torch::Tensor L3NetImpl::imageFeatures(const torch::Tensor& images) { return vision->forward(images).amax({2, 3}); }

torch::Tensor L3NetImpl::audioFeatures(const torch::Tensor& spectrograms) {
  return audio->forward(spectrograms).amax({2, 3});
}

torch::Tensor L3NetImpl::features(const torch::Tensor& images, const torch::Tensor& spectrograms) {
  return torch::cat({imageFeatures(images), audioFeatures(spectrograms)}, 1);
}

torch::Tensor L3NetImpl::forward(const torch::Tensor& images, const torch::Tensor& spectrograms) {
  return fc2->forward(torch::relu(fc1->forward(features(images, spectrograms))));
}

torch::Tensor L3NetImpl::pairScores(const torch::Tensor& imageFeatures, const torch::Tensor& audioFeatures) {
  const int64_t c = imageFeatures.size(1);
  const auto w = fc1->weight;  // hidden x (c + audio channels)
  const auto fromImage = torch::mm(imageFeatures, w.narrow(1, 0, c).t()) + fc1->bias;  // N x hidden
  const auto fromAudio = torch::mm(audioFeatures, w.narrow(1, c, w.size(1) - c).t());  // M x hidden
  const auto hidden = torch::relu(fromImage.unsqueeze(1) + fromAudio.unsqueeze(0));   // N x M x hidden
  const auto logits = fc2->forward(hidden);                                            // N x M x 2
  return logits.select(2, 1) - logits.select(2, 0);
}

}  // namespace soundspot::nn
