#include "core/nn/AvolEnsemble.h"

#include "core/common/Error.h"

#include <cmath>
#include <string>

namespace soundspot::nn {

AvolEnsembleImpl::AvolEnsembleImpl(std::vector<AvolNet> members) : members_(std::move(members)) {
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

torch::Tensor AvolEnsembleImpl::mapLogits(const torch::Tensor& regions, const torch::Tensor& audioEmb) {
  const int64_t n = static_cast<int64_t>(members_.size());
  if (regions.size(1) != n * memberDim_ || audioEmb.size(1) != n * memberDim_)
    throw Error("ensemble", "regions of " + std::to_string(regions.size(1)) + " and audio of " +
                                std::to_string(audioEmb.size(1)) + " channels, where " + std::to_string(n) + " members give " +
                                std::to_string(n * memberDim_));
  const auto r = regions.split(memberDim_, 1), a = audioEmb.split(memberDim_, 1);
  torch::Tensor sum;
  for (int64_t i = 0; i < n; ++i) {
    const torch::Tensor x = members_[static_cast<size_t>(i)]->mapLogits(r[i], a[i]).to(torch::kFloat);
    sum = sum.defined() ? sum + x : x;
  }
  return sum / static_cast<double>(n);
}

AvolNet makeAvolEnsemble(std::vector<AvolNet> members) {
  // The holder's shared_ptr<AvolNetImpl> constructor, not its forwarding one.
  const std::shared_ptr<AvolNetImpl> impl = std::make_shared<AvolEnsembleImpl>(std::move(members));
  return AvolNet(impl);
}

}  // namespace soundspot::nn
