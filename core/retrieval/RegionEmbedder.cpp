#include "core/retrieval/RegionEmbedder.h"

#include "core/common/Error.h"
#include "core/nn/AvolNet.h"
#include "core/nn/Model.h"
#include "core/nn/Preprocess.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace soundspot::retrieval {

std::pair<int, int> regionCell(double u, double v) {
  auto cell = [](double x) {
    if (!std::isfinite(x)) return 0;
    return std::clamp(static_cast<int>(std::floor(x * kRegionGrid)), 0, kRegionGrid - 1);
  };
  return {cell(v), cell(u)};
}

struct RegionEmbedder::Impl {
  nn::Model model;
  nn::AvolNet net{nullptr};
  std::string device;
};

RegionEmbedder::RegionEmbedder(const std::filesystem::path& modelDir, const std::string& device)
    : impl_(std::make_unique<Impl>()) {
  impl_->device = device;
  impl_->model = nn::loadModel(modelDir, device);
  impl_->net = nn::avolNet(impl_->model);
  if (!impl_->net) throw Error(modelDir.string(), "is not an AVOL-Net model (region embeddings need arch \"avol\")");
  impl_->net->eval();
}

RegionEmbedder::~RegionEmbedder() = default;

std::vector<float> RegionEmbedder::regions(const media::RgbFrame& frame, int64_t* dimOut) {
  if (frame.width <= 0 || frame.height <= 0 || frame.rgb.size() != static_cast<size_t>(frame.width) * frame.height * 3)
    throw Error("image", "empty or malformed picture");
  c10::InferenceMode guard;
  const torch::Tensor r =
      impl_->net->visualRegions(nn::imageTensor(frame.rgb.data(), frame.width, frame.height).to(impl_->device));
  if (r.size(2) != kRegionGrid || r.size(3) != kRegionGrid)
    throw Error("AVOL-Net", "gives a " + std::to_string(r.size(2)) + "x" + std::to_string(r.size(3)) +
                                " region grid where 14x14 is expected");
  // 1 x D x 14 x 14 -> 196 x D, each row unit length.
  torch::Tensor rows = r[0].flatten(1).transpose(0, 1).to(torch::kCPU, torch::kFloat);
  rows = (rows / rows.norm(2, {1}, true).clamp_min(1e-12)).contiguous();
  if (dimOut) *dimOut = rows.size(1);
  return std::vector<float>(rows.data_ptr<float>(), rows.data_ptr<float>() + rows.numel());
}

std::vector<float> RegionEmbedder::region(const media::RgbFrame& frame, int row, int col) {
  if (row < 0 || row >= kRegionGrid || col < 0 || col >= kRegionGrid)
    throw UsageError("region", "cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is outside the 14x14 grid");
  int64_t dim = 0;
  const std::vector<float> all = regions(frame, &dim);
  const auto start = all.begin() + static_cast<std::ptrdiff_t>((row * kRegionGrid + col) * dim);
  return std::vector<float>(start, start + dim);
}

}  // namespace soundspot::retrieval
