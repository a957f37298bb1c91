#pragma once
// The log-spectrogram of Spectrogram.h computed with torch operations, batched
// and on the windows' own device (the GPU training path). Same definition:
// frame i starts at sample kHop*i (zeros past the end), periodic Hann window,
// FFT of size kFftSize, ln(|X| + kLogFloor).
#include <torch/torch.h>

namespace soundspot::audio {

// windows: B x kWindowSamples (any floating dtype; computed in float32).
// Returns B x kBins x kFrames float32 on the same device.
torch::Tensor logSpectrogramTorch(const torch::Tensor& windows);

}  // namespace soundspot::audio
