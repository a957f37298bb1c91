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

}  // namespace soundspot::nn
