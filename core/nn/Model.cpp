#include "core/nn/Model.h"

namespace soundspot::nn {

std::shared_ptr<torch::nn::Module> Model::module() const {
  switch (config.arch) {
    case Arch::Avol: return avol.ptr();
    case Arch::Ave: return ave.ptr();
    case Arch::L3: return l3.ptr();
  }
  return nullptr;
}

Model makeModel(const NetConfig& config) {
  Model m;
  m.config = config;
  switch (config.arch) {
    case Arch::Avol: m.avol = AvolNet(config.width, config.embedDim, config.similarity == Similarity::Cosine, config.tower); break;
    case Arch::Ave: m.ave = AveNet(config.width, config.embedDim, config.tower); break;
    case Arch::L3: m.l3 = L3Net(config.width, config.embedDim, config.tower); break;
  }
  return m;
}

AvolNet avolNet(const Model& model) { return model.avol; }
AveNet aveNet(const Model& model) { return model.ave; }
L3Net l3Net(const Model& model) { return model.l3; }

}  // namespace soundspot::nn
