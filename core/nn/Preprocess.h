#pragma once
// Network inputs from decoded media, identical for training (core/data),
// inference (core/engine) and evaluation. The normalisation constants are
// recorded in every model's metadata (ModelFolder) so that other tools can
// reproduce the input.
#include <torch/torch.h>

#include <array>
#include <cstdint>

namespace soundspot::nn {

constexpr int kImageSize = 224;
constexpr int kSpectrogramBins = 257, kSpectrogramFrames = 200;
// Per-channel RGB mean and standard deviation of pixel values in [0, 1]
// (the ImageNet statistics): x = (rgb / 255 - mean) / std.
constexpr std::array<float, 3> kImageMean = {0.485f, 0.456f, 0.406f};
constexpr std::array<float, 3> kImageStd = {0.229f, 0.224f, 0.225f};

// Packed RGB24, row-major, w x h -> 1 x 3 x 224 x 224 float: the whole
// frame (no crop, the aspect ratio is not kept) resized bilinearly
// (half-pixel centres) and normalised.
torch::Tensor imageTensor(const uint8_t* rgb, int w, int h);
// A log-spectrogram, 257 x 200 freq-major (audio::logSpectrogram) ->
// 1 x 1 x 257 x 200; used as is: the first BatchNorm sets its scale.
torch::Tensor audioTensor(const float* spec257x200);

}  // namespace soundspot::nn
