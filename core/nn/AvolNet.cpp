#include "core/nn/AvolNet.h"

#include "core/nn/CohortNormalisation.h"

#include <cstdlib>
#include <string>

namespace soundspot::nn {
namespace {

bool flipAverageRequested() {
  const char* v = std::getenv("SOUNDSPOT_FLIP_AVERAGE");
  return v && std::string(v) == "1";
}

}  // namespace

AvolNetImpl::AvolNetImpl(int width, int embedDim, bool cosine, Tower tower)
    : cosine(cosine), flipAverage(flipAverageRequested()), cohortNormalisation(CohortNormalisation::fromEnvironment()) {
  vision = register_module("vision", VisionNet(width, tower));
  audio = register_module("audio", AudioNet(width, tower));
  const int features = vision->outChannels();
  regionConv1 = register_module("regionConv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(features, embedDim, 1)));
  regionConv2 = register_module("regionConv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(embedDim, embedDim, 1)));
  audioFc1 = register_module("audioFc1", torch::nn::Linear(features, embedDim));
  audioFc2 = register_module("audioFc2", torch::nn::Linear(embedDim, embedDim));
  calibration = register_module("calibration", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 1, 1)));
  // Calibration starts as the identity (a = 1, b = 0): a positive slope so
  // that a larger similarity means "more likely the source", non-zero so
  // that the gradient reaches both towers from the first step; the default
  // random init could start with a ~ 0 or a < 0 and stall or invert learning.
  // A cosine lies in [-1, 1]: 10·cos − 5 spreads it over the sigmoid's range.
  torch::NoGradGuard noGrad;
  calibration->weight.fill_(cosine ? 10.0f : 1.0f);
  calibration->bias.fill_(cosine ? -5.0f : 0.0f);
}

torch::Tensor AvolNetImpl::regionsOf(const torch::Tensor& images) {
  return regionConv2->forward(torch::relu(regionConv1->forward(vision->forward(images))));
}

torch::Tensor AvolNetImpl::visualRegions(const torch::Tensor& images) {
  if (!flipAverage || is_training()) {
    auto regions = regionsOf(images);
    if (!is_training()) CohortNormalisation::dumpRegions(regions);
    return regions;
  }
  // The regions of the mirrored frame, mirrored back, averaged with the
  // frame's own (unit length first for the cosine, so that both count alike).
  namespace F = torch::nn::functional;
  auto direct = regionsOf(images), mirrored = regionsOf(images.flip({3})).flip({3});
  if (cosine) {
    direct = F::normalize(direct, F::NormalizeFuncOptions().dim(1));
    mirrored = F::normalize(mirrored, F::NormalizeFuncOptions().dim(1));
  }
  return (direct + mirrored) * 0.5;
}

torch::Tensor AvolNetImpl::audioEmbedding(const torch::Tensor& spectrograms) {
  const auto x = audio->forward(spectrograms).amax({2, 3});
  return audioFc2->forward(torch::relu(audioFc1->forward(x)));
}

torch::Tensor AvolNetImpl::similarity(const torch::Tensor& regions, const torch::Tensor& audioEmb) {
  namespace F = torch::nn::functional;
  const auto r = cosine ? F::normalize(regions, F::NormalizeFuncOptions().dim(1)) : regions;
  const auto a = cosine ? F::normalize(audioEmb, F::NormalizeFuncOptions().dim(1)) : audioEmb;
  return (r * a.unsqueeze(-1).unsqueeze(-1)).sum(1, true);
}

torch::Tensor AvolNetImpl::mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) {
  // Similarity per position (B x 1 x 14 x 14), then the 1x1 calibration.
  auto s = similarity(regions, audioEmb);
  if (cohortNormalisation && !is_training()) s = cohortNormalisation->apply(s, regions, audioEmb);
  return calibration->forward(s).squeeze(1);
}

AvolOutput AvolNetImpl::forward(const torch::Tensor& images, const torch::Tensor& spectrograms) {
  const auto logits = mapLogits(visualRegions(images), audioEmbedding(spectrograms));
  return {torch::sigmoid(logits), logits.flatten(1).amax(1)};
}

}  // namespace soundspot::nn
