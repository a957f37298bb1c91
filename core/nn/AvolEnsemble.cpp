#include "core/nn/AvolEnsemble.h"

#include "core/common/Error.h"

#include <cmath>
#include <string>

namespace soundspot::nn {

AvolEnsembleImpl::AvolEnsembleImpl(std::vector<AvolNet> members, EnsembleCombination combination)
    : members_(std::move(members)) {
  if (members_.empty()) throw Error("ensemble", "no member networks");
  for (const auto& m : members_)
    if (!m || !m->regionConv2) throw Error("ensemble", "a member is empty or itself an ensemble");
  memberDim_ = members_.front()->regionConv2->options.out_channels();
  for (size_t i = 0; i < members_.size(); ++i) {
    const int64_t dim = members_[i]->regionConv2->options.out_channels();
    if (dim != memberDim_)
      throw Error("ensemble", "member " + std::to_string(i + 1) + " embeds in " + std::to_string(dim) +
                                  " dimensions, member 1 in " + std::to_string(memberDim_));
    // Registered, so that eval(), to(device) and parameters() reach them.
    register_module("member" + std::to_string(i), members_[i]);
  }
  cosine = members_.front()->cosine;
  setCombination(std::move(combination));
}

void AvolEnsembleImpl::setCombination(EnsembleCombination combination) {
  if (!std::isfinite(combination.bias)) throw Error("ensemble", "the combination's bias is not a finite number");
  if (!combination.weights.empty()) {
    if (combination.weights.size() != members_.size())
      throw Error("ensemble", std::to_string(combination.weights.size()) + " combination weights for " +
                                  std::to_string(members_.size()) + " members");
    double total = 0;
    for (double w : combination.weights) {
      if (!std::isfinite(w) || w < 0) throw Error("ensemble", "a combination weight is negative or not a finite number");
      total += w;
    }
    if (total <= 0) throw Error("ensemble", "the combination weights are all zero");
  }
  combination_ = std::move(combination);
}

torch::Tensor AvolEnsembleImpl::sideBySide(const std::vector<torch::Tensor>& parts, int64_t dim) const {
  namespace F = torch::nn::functional;
  std::vector<torch::Tensor> scaled;
  const double share = 1.0 / std::sqrt(static_cast<double>(members_.size()));
  for (size_t i = 0; i < parts.size(); ++i) {
    // A cosine member's map ignores the length, so unit length changes
    // nothing there and makes members count alike in a retrieval dot product.
    // A dot-product member's length is part of its map: kept as it is.
    const torch::Tensor p = parts[i].to(torch::kFloat);
    scaled.push_back(members_[i]->cosine ? F::normalize(p, F::NormalizeFuncOptions().dim(dim)) * share : p);
  }
  return torch::cat(scaled, dim);
}

torch::Tensor AvolEnsembleImpl::visualRegions(const torch::Tensor& images) {
  std::vector<torch::Tensor> parts;
  for (auto& m : members_) parts.push_back(m->visualRegions(images));
  return sideBySide(parts, 1);
}

torch::Tensor AvolEnsembleImpl::audioEmbedding(const torch::Tensor& spectrograms) {
  std::vector<torch::Tensor> parts;
  for (auto& m : members_) parts.push_back(m->audioEmbedding(spectrograms));
  return sideBySide(parts, 1);
}

torch::Tensor AvolEnsembleImpl::memberLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) {
  const int64_t n = static_cast<int64_t>(members_.size());
  if (regions.size(1) != n * memberDim_ || audioEmb.size(1) != n * memberDim_)
    throw Error("ensemble", "regions of " + std::to_string(regions.size(1)) + " and audio of " +
                                std::to_string(audioEmb.size(1)) + " channels, where " + std::to_string(n) + " members give " +
                                std::to_string(n * memberDim_));
  const auto r = regions.split(memberDim_, 1), a = audioEmb.split(memberDim_, 1);
  std::vector<torch::Tensor> logits;
  for (int64_t i = 0; i < n; ++i) logits.push_back(members_[static_cast<size_t>(i)]->mapLogits(r[i], a[i]).to(torch::kFloat));
  return torch::stack(logits, 1);
}

torch::Tensor AvolEnsembleImpl::mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) {
  const torch::Tensor logits = memberLogits(regions, audioEmb);
  if (combination_.weights.empty()) return logits.mean(1);
  const auto w = torch::tensor(combination_.weights, torch::kDouble).to(logits.options());
  return (logits * w.view({1, -1, 1, 1})).sum(1) + combination_.bias;
}

AvolNet makeAvolEnsemble(std::vector<AvolNet> members, EnsembleCombination combination) {
  // The holder's shared_ptr<AvolNetImpl> constructor, not its forwarding one.
  const std::shared_ptr<AvolNetImpl> impl = std::make_shared<AvolEnsembleImpl>(std::move(members), std::move(combination));
  return AvolNet(impl);
}

}  // namespace soundspot::nn
