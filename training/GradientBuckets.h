#pragma once
// Bucketed gradient all-reduce that overlaps the backward pass: PyTorch's own
// DDP engine (c10d::Reducer, in libtorch_cpu), as DistributedDataParallel
// drives it. Parameters are grouped into buckets of about `bucketBytes` in
// reverse registration order (roughly the order backward produces their
// gradients); a bucket's all-reduce starts on Gloo's threads as soon as all
// its gradients are ready, and backward() returns with every .grad averaged
// over the ranks. The alternative, one flat all-reduce after backward, is
// Distributed::allReduceSum (Trainer's default; README, measured both).
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace soundspot::training {

class Distributed;

class GradientBuckets {
 public:
  // `params`: the trainable parameters (requires_grad), the same on every rank.
  // Parameters that get no gradient in a step (an unused head) are found from
  // the loss's graph and count as zero on that rank.
  GradientBuckets(Distributed& dist, std::vector<torch::Tensor> params, int64_t bucketBytes);
  ~GradientBuckets();
  GradientBuckets(const GradientBuckets&) = delete;
  GradientBuckets& operator=(const GradientBuckets&) = delete;

  // Call before each forward pass and, with the loss, before its backward pass.
  void beforeForward();
  void beforeBackward(const torch::Tensor& loss);
  size_t bucketCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soundspot::training
