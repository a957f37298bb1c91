#include "core/eval/EnsembleNetwork.h"

#include "core/common/Error.h"

#include <cmath>

namespace soundspot::eval {
namespace {

class EnsembleNetwork : public EvalNetwork {
 public:
  explicit EnsembleNetwork(std::vector<std::unique_ptr<EvalNetwork>> members) : members_(std::move(members)) {}

  std::string arch() const override { return members_.front()->arch(); }
  torch::Tensor imageEmbedding(const torch::Tensor& images) override {
    return sideBySide([&](EvalNetwork& m) { return m.imageEmbedding(images); });
  }
  torch::Tensor audioEmbedding(const torch::Tensor& spectrograms) override {
    return sideBySide([&](EvalNetwork& m) { return m.audioEmbedding(spectrograms); });
  }
  torch::Tensor correspondence(const torch::Tensor& images, const torch::Tensor& spectrograms) override {
    return mean([&](EvalNetwork& m) { return m.correspondence(images, spectrograms); });
  }
  bool needsCca() const override { return members_.front()->needsCca(); }

 private:
  template <typename F>
  torch::Tensor mean(F&& of) {
    torch::Tensor sum;
    for (auto& m : members_) {
      const torch::Tensor x = of(*m).to(torch::kFloat);
      sum = sum.defined() ? sum + x : x;
    }
    return sum / static_cast<double>(members_.size());
  }
  template <typename F>
  torch::Tensor sideBySide(F&& of) {
    namespace Fn = torch::nn::functional;
    std::vector<torch::Tensor> parts;
    for (auto& m : members_)
      parts.push_back(Fn::normalize(of(*m).to(torch::kFloat), Fn::NormalizeFuncOptions().dim(1)));
    return torch::cat(parts, 1) / std::sqrt(static_cast<double>(members_.size()));
  }

  std::vector<std::unique_ptr<EvalNetwork>> members_;
};

}  // namespace

std::unique_ptr<EvalNetwork> makeEnsembleNetwork(std::vector<std::unique_ptr<EvalNetwork>> members) {
  if (members.empty()) throw Error("ensemble", "no member networks");
  for (const auto& m : members)
    if (m->arch() != members.front()->arch())
      throw Error("ensemble", "members of different architectures (" + members.front()->arch() + " and " +
                                  m->arch() + ")");
  if (members.size() > 1 && members.front()->localizes())
    throw Error("ensemble", "AVOL-Nets are combined by nn::AvolEnsemble (one network with the mean map), not here");
  // One member needs no wrapper: its own embeddings, unchanged.
  if (members.size() == 1) return std::move(members.front());
  return std::make_unique<EnsembleNetwork>(std::move(members));
}

}  // namespace soundspot::eval
