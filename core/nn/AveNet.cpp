#include "core/nn/AveNet.h"

namespace soundspot::nn {

AveNetImpl::AveNetImpl(int width, int embedDim, Tower tower) {
  vision = register_module("vision", VisionNet(width, tower));
  audio = register_module("audio", AudioNet(width, tower));
  const int features = vision->outChannels();
  visionFc1 = register_module("visionFc1", torch::nn::Linear(features, embedDim));
  visionFc2 = register_module("visionFc2", torch::nn::Linear(embedDim, embedDim));
  audioFc1 = register_module("audioFc1", torch::nn::Linear(features, embedDim));
  audioFc2 = register_module("audioFc2", torch::nn::Linear(embedDim, embedDim));
  distanceFc = register_module("distanceFc", torch::nn::Linear(1, 2));
  // Paper appendix B: the distance of unit vectors lies in [0, 2]; start with
  // "corresponds" winning below 1 and losing above, i.e. a large distance
  // means no correspondence (logit1 - logit0 = 2 - 2d).
  torch::NoGradGuard noGrad;
  distanceFc->weight.copy_(torch::tensor({{1.0f}, {-1.0f}}));
  distanceFc->bias.copy_(torch::tensor({-1.0f, 1.0f}));
}

torch::Tensor AveNetImpl::imageEmbedding(const torch::Tensor& images) {
  auto x = vision->forward(images).amax({2, 3});
  x = visionFc2->forward(torch::relu(visionFc1->forward(x)));
  return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor AveNetImpl::audioEmbedding(const torch::Tensor& spectrograms) {
  auto x = audio->forward(spectrograms).amax({2, 3});
  x = audioFc2->forward(torch::relu(audioFc1->forward(x)));
  return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor AveNetImpl::logitsFromEmbeddings(const torch::Tensor& image, const torch::Tensor& audioEmb) {
  // The small epsilon keeps the gradient of the norm finite at distance 0.
  const auto distance = ((image - audioEmb).pow(2).sum(1, true) + 1e-12).sqrt();
  return distanceFc->forward(distance);
}

torch::Tensor AveNetImpl::forward(const torch::Tensor& images, const torch::Tensor& spectrograms) {
  return logitsFromEmbeddings(imageEmbedding(images), audioEmbedding(spectrograms));
}

}  // namespace soundspot::nn
