#include "core/nn/Preprocess.h"

#include "core/common/Error.h"

#include <string>

namespace soundspot::nn {

torch::Tensor imageTensor(const uint8_t* rgb, int w, int h) {
  if (rgb == nullptr || w <= 0 || h <= 0)
    throw Error("image", "empty frame (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  auto x = torch::from_blob(const_cast<uint8_t*>(rgb), {1, h, w, 3}, torch::kUInt8)
               .permute({0, 3, 1, 2})
               .to(torch::kFloat)
               .div_(255.0f);
  if (w != kImageSize || h != kImageSize) {
    namespace F = torch::nn::functional;
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{kImageSize, kImageSize})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  }
  const auto mean = torch::tensor({kImageMean[0], kImageMean[1], kImageMean[2]}).view({1, 3, 1, 1});
  const auto stdev = torch::tensor({kImageStd[0], kImageStd[1], kImageStd[2]}).view({1, 3, 1, 1});
  return ((x - mean) / stdev).contiguous();
}

torch::Tensor audioTensor(const float* spec257x200) {
  if (spec257x200 == nullptr) throw Error("spectrogram", "no data");
  return torch::from_blob(const_cast<float*>(spec257x200), {1, 1, kSpectrogramBins, kSpectrogramFrames}, torch::kFloat)
      .clone();
}

}  // namespace soundspot::nn
