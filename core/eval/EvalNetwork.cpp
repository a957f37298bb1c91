#include "core/eval/EvalNetwork.h"

#include "core/common/Error.h"
#include "core/nn/Model.h"

namespace soundspot::eval {

torch::Tensor EvalNetwork::mapLogits(const torch::Tensor&, const torch::Tensor&) {
  throw Error(arch(), "this architecture has no localization map");
}

namespace {

// Holds its own copy of the model (the module holders are shared), so an
// untrained network made here lives as long as the adapter.
class ModelNetwork : public EvalNetwork {
 public:
  explicit ModelNetwork(nn::Model model) : model_(std::move(model)), device_(model_.device) {
    model_.module()->eval();
  }
  std::string arch() const override { return nn::toString(model_.config.arch); }

  torch::Tensor imageEmbedding(const torch::Tensor& images) override {
    const auto x = images.to(device_);
    switch (model_.config.arch) {
      case nn::Arch::Ave: return model_.ave->imageEmbedding(x);
      case nn::Arch::Avol: return model_.avol->visualRegions(x).amax({2, 3});  // max-pooled regions
      case nn::Arch::L3: return model_.l3->imageFeatures(x);
    }
    throw Error(arch(), "unknown architecture");
  }
  torch::Tensor audioEmbedding(const torch::Tensor& spectrograms) override {
    const auto x = spectrograms.to(device_);
    switch (model_.config.arch) {
      case nn::Arch::Ave: return model_.ave->audioEmbedding(x);
      case nn::Arch::Avol: return model_.avol->audioEmbedding(x);
      case nn::Arch::L3: return model_.l3->audioFeatures(x);
    }
    throw Error(arch(), "unknown architecture");
  }
  torch::Tensor correspondence(const torch::Tensor& images, const torch::Tensor& spectrograms) override {
    const auto x = images.to(device_), s = spectrograms.to(device_);
    switch (model_.config.arch) {
      case nn::Arch::Avol: return model_.avol->forward(x, s).logit;  // > 0 <=> sigmoid > 0.5
      case nn::Arch::Ave: {
        const auto l = model_.ave->forward(x, s);
        return l.select(1, 1) - l.select(1, 0);
      }
      case nn::Arch::L3: {
        const auto l = model_.l3->forward(x, s);
        return l.select(1, 1) - l.select(1, 0);
      }
    }
    throw Error(arch(), "unknown architecture");
  }
  bool localizes() const override { return model_.config.arch == nn::Arch::Avol; }
  torch::Tensor mapLogits(const torch::Tensor& images, const torch::Tensor& spectrograms) override {
    if (!localizes()) return EvalNetwork::mapLogits(images, spectrograms);
    auto& net = model_.avol;
    return net->mapLogits(net->visualRegions(images.to(device_)), net->audioEmbedding(spectrograms.to(device_)));
  }
  bool needsCca() const override { return model_.config.arch == nn::Arch::L3; }

 private:
  nn::Model model_;
  torch::Device device_;
};

}  // namespace

std::unique_ptr<EvalNetwork> makeEvalNetwork(const nn::Model& model) { return std::make_unique<ModelNetwork>(model); }

std::unique_ptr<EvalNetwork> makeUntrainedNetwork(const nn::Model& model, uint64_t seed) {
  torch::manual_seed(seed);
  nn::Model fresh = nn::makeModel(model.config);
  fresh.module()->to(torch::Device(model.device));
  fresh.device = model.device;
  return std::make_unique<ModelNetwork>(std::move(fresh));
}

}  // namespace soundspot::eval
