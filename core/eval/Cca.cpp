#include "core/eval/Cca.h"

#include "core/common/Error.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <tuple>

namespace soundspot::eval {
namespace {

// Symmetric inverse square root through eigh; eigenvalues are clamped so
// that round-off cannot make them non-positive.
torch::Tensor inverseSqrt(const torch::Tensor& c) {
  torch::Tensor values, vectors;
  std::tie(values, vectors) = torch::linalg_eigh(c, "L");
  const auto scale = values.clamp_min(1e-12).rsqrt();
  return (vectors * scale.unsqueeze(0)).matmul(vectors.t());
}

torch::Tensor regularisedCovariance(const torch::Tensor& centred, double ridge) {
  const int64_t n = centred.size(0), dim = centred.size(1);
  auto c = centred.t().matmul(centred) / double(n - 1);
  const double r = ridge * c.trace().item<double>() / double(dim);
  return c + std::max(r, 1e-12) * torch::eye(dim, c.options());
}

torch::Tensor asCpuDouble(const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); }

}  // namespace

Cca Cca::fit(const torch::Tensor& x, const torch::Tensor& y, int components, double ridge) {
  if (x.dim() != 2 || y.dim() != 2) throw Error("CCA", "features must be N x p and N x q matrices");
  if (x.size(0) != y.size(0))
    throw Error("CCA", "paired features need the same number of rows (" + std::to_string(x.size(0)) + " vs " +
                           std::to_string(y.size(0)) + ")");
  if (x.size(0) < 2) throw Error("CCA", "needs at least 2 paired samples");
  if (components <= 0) throw Error("CCA", "needs at least one component");
  const int64_t maxK = std::min(x.size(1), y.size(1));
  if (components > maxK) {
    spdlog::warn("CCA: {} components requested, features allow {}; using {}", components, maxK, maxK);
    components = int(maxK);
  }

  Cca cca;
  const auto xd = asCpuDouble(x), yd = asCpuDouble(y);
  cca.meanX_ = xd.mean(0, true);
  cca.meanY_ = yd.mean(0, true);
  const auto xc = xd - cca.meanX_, yc = yd - cca.meanY_;
  const auto wx = inverseSqrt(regularisedCovariance(xc, ridge));
  const auto wy = inverseSqrt(regularisedCovariance(yc, ridge));
  const auto cxy = xc.t().matmul(yc) / double(x.size(0) - 1);
  const auto m = wx.matmul(cxy).matmul(wy);  // p x q

  torch::Tensor values, vectors;
  std::tie(values, vectors) = torch::linalg_eigh(m.matmul(m.t()), "L");  // ascending
  const auto order = torch::arange(values.size(0) - 1, values.size(0) - 1 - components, -1, torch::kLong);
  const auto u = vectors.index_select(1, order);                            // p x k
  const auto s = values.index_select(0, order).clamp_min(0).sqrt();        // k
  // V = M' U / S; a zero correlation leaves an arbitrary (unit) direction.
  auto v = m.t().matmul(u) / s.clamp_min(1e-12).unsqueeze(0);
  v = v / v.norm(2, 0, true).clamp_min(1e-12);
  cca.a_ = wx.matmul(u);
  cca.b_ = wy.matmul(v);
  cca.correlations_ = s.clamp_max(1.0);
  return cca;
}

torch::Tensor Cca::projectX(const torch::Tensor& x) const {
  if (x.dim() != 2 || x.size(1) != a_.size(0))
    throw Error("CCA", "projectX expects M x " + std::to_string(a_.size(0)) + " features");
  return (asCpuDouble(x) - meanX_).matmul(a_).to(x.device(), torch::kFloat32);
}

torch::Tensor Cca::projectY(const torch::Tensor& y) const {
  if (y.dim() != 2 || y.size(1) != b_.size(0))
    throw Error("CCA", "projectY expects M x " + std::to_string(b_.size(0)) + " features");
  return (asCpuDouble(y) - meanY_).matmul(b_).to(y.device(), torch::kFloat32);
}

}  // namespace soundspot::eval
