#include "training/GradientBuckets.h"

#include "core/common/Error.h"
#include "training/Distributed.h"

#ifdef SOUNDSPOT_HAS_GLOO
#include "training/DistributedGroup.h"

#include <torch/csrc/distributed/c10d/reducer.hpp>
#endif

#include <algorithm>
#include <unordered_map>

namespace soundspot::training {

#ifndef SOUNDSPOT_HAS_GLOO
struct GradientBuckets::Impl {};
GradientBuckets::GradientBuckets(Distributed& dist, std::vector<torch::Tensor>, int64_t) {
  throw Error(dist.address(), "this build has no Gloo, so no bucketed all-reduce");
}
GradientBuckets::~GradientBuckets() = default;
void GradientBuckets::beforeForward() {}
void GradientBuckets::beforeBackward(const torch::Tensor&) {}
size_t GradientBuckets::bucketCount() const { return 0; }
#else
struct GradientBuckets::Impl {
  std::unique_ptr<c10d::Reducer> reducer;
  size_t buckets = 0;
};

GradientBuckets::GradientBuckets(Distributed& dist, std::vector<torch::Tensor> params, int64_t bucketBytes)
    : impl_(std::make_unique<Impl>()) {
  if (params.empty()) throw Error(dist.address(), "no trainable parameters to synchronise");
  if (bucketBytes < 1024) throw UsageError("--bucket-kb", "must be at least 1");
  // As DistributedDataParallel does it: buckets in parameter order, then
  // reversed, so that the first bucket holds the last layers, whose
  // gradients backward produces first.
  const std::vector<bool> sparse(params.size(), false);
  auto [indices, limits] = c10d::compute_bucket_assignment_by_size(params, {static_cast<size_t>(bucketBytes)}, sparse);
  std::reverse(indices.begin(), indices.end());
  std::reverse(limits.begin(), limits.end());
  impl_->buckets = indices.size();
  // find_unused_parameters: a head the objective does not use (AVE-Net's
  // distance FC under the contrastive loss) gets no gradient; the reducer
  // finds it from the graph instead of waiting for it forever.
  impl_->reducer = std::make_unique<c10d::Reducer>(std::move(params), std::move(indices), std::move(limits), dist.group_->pg,
                                                   sparse, bucketBytes, /*find_unused_parameters=*/true,
                                                   /*gradient_as_bucket_view=*/false,
                                                   std::unordered_map<size_t, std::string>{}, bucketBytes);
}

GradientBuckets::~GradientBuckets() = default;

void GradientBuckets::beforeForward() { impl_->reducer->prepare_for_forward(); }

void GradientBuckets::beforeBackward(const torch::Tensor& loss) { impl_->reducer->prepare_for_backward({loss}); }

size_t GradientBuckets::bucketCount() const { return impl_->buckets; }
#endif

}  // namespace soundspot::training
