#pragma once
// Canonical correlation analysis between paired features, for the paper's
// "L3-Net + CCA" cross-modal retrieval baseline: fitted on training pairs
// (image feature, audio feature of the same instant), it projects both
// modalities into one k-dimensional space where they can be compared.
//
// With centred X (N x p), Y (N x q): Cxx = X'X/(N-1) + r_x I, likewise Cyy,
// Cxy = X'Y/(N-1), where the ridge r = ridge * trace(C)/dim keeps the
// whitening stable for few or collinear samples. With Wx = Cxx^-1/2 and
// Wy = Cyy^-1/2 (symmetric, from eigh), the SVD of M = Wx Cxy Wy = U S V'
// gives the directions A = Wx U_k, B = Wy V_k and the canonical correlations
// S_k (descending). The SVD is taken from eigh of M M' (U, S^2), then
// V = M' U / S, so only eigh is needed (same API in LibTorch 1.13 and 2.x).
// Computed in float64 on the CPU.
#include <torch/torch.h>

namespace soundspot::eval {

class Cca {
 public:
  // x: N x p, y: N x q (any device/dtype), N >= 2. components is reduced to
  // min(p, q) with a warning when larger. Throws soundspot::Error on
  // mismatched or too few rows.
  static Cca fit(const torch::Tensor& x, const torch::Tensor& y, int components, double ridge = 1e-4);

  // (x - mean_x) A: M x k float32, on x's device.
  torch::Tensor projectX(const torch::Tensor& x) const;
  torch::Tensor projectY(const torch::Tensor& y) const;
  // k canonical correlations, descending (float64, CPU).
  const torch::Tensor& correlations() const { return correlations_; }
  int components() const { return int(correlations_.size(0)); }

 private:
  torch::Tensor meanX_, meanY_, a_, b_, correlations_;
};

}  // namespace soundspot::eval
