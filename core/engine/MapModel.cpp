#include "core/engine/MapModel.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/nn/AvolNet.h"
#include "core/nn/Model.h"
#include "core/nn/Preprocess.h"

#include <torch/torch.h>

#include <spdlog/spdlog.h>

#include <vector>

namespace soundspot::engine {

struct VisualFeatures {
  torch::Tensor regions;  // 1 x 128 x 14 x 14
};
struct AudioFeatures {
  torch::Tensor embedding;  // 1 x 128
};

struct MapModel::Impl {
  std::filesystem::path dir;
  std::string device;
  nn::Model model;
  nn::AvolNet net{nullptr};
};

MapModel::MapModel(const std::filesystem::path& modelDir, nn::DeviceChoice choice) : impl_(std::make_unique<Impl>()) {
  impl_->dir = modelDir;
  impl_->device = nn::resolveDevice(choice);
  impl_->model = nn::loadModel(modelDir, impl_->device);
  impl_->net = nn::avolNet(impl_->model);
  if (!impl_->net) throw Error(modelDir.string(), "is not an AVOL-Net model (localization needs arch \"avol\")");
  impl_->net->eval();
  spdlog::info("localizer: AVOL-Net from {} on {}", modelDir.string(), impl_->device);
}

MapModel::~MapModel() = default;

const std::string& MapModel::device() const { return impl_->device; }
const std::filesystem::path& MapModel::modelDir() const { return impl_->dir; }

std::shared_ptr<const VisualFeatures> MapModel::visual(const uint8_t* rgb, int width, int height) {
  torch::NoGradGuard noGrad;
  auto features = std::make_shared<VisualFeatures>();
  features->regions = impl_->net->visualRegions(nn::imageTensor(rgb, width, height).to(impl_->device));
  return features;
}

std::shared_ptr<const AudioFeatures> MapModel::audio(const float* window) {
  torch::NoGradGuard noGrad;
  std::vector<float> spec(static_cast<size_t>(audio::kBins) * audio::kFrames);
  audio::logSpectrogram(window, spec.data());
  auto features = std::make_shared<AudioFeatures>();
  features->embedding = impl_->net->audioEmbedding(nn::audioTensor(spec.data()).to(impl_->device));
  return features;
}

HeatMap MapModel::map(const VisualFeatures& visual, const AudioFeatures& audio) {
  torch::NoGradGuard noGrad;
  const torch::Tensor probabilities =
      torch::sigmoid(impl_->net->mapLogits(visual.regions, audio.embedding)).to(torch::kCPU, torch::kFloat).contiguous();
  HeatMap out;
  std::copy_n(probabilities.data_ptr<float>(), out.size(), out.begin());
  return out;
}

HeatMap MapModel::localize(const uint8_t* rgb, int width, int height, const float* window) {
  return map(*visual(rgb, width, height), *audio(window));
}

}  // namespace soundspot::engine
