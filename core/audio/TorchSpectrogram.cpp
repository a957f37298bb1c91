#include "core/audio/TorchSpectrogram.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"

#include <string>

namespace soundspot::audio {

torch::Tensor logSpectrogramTorch(const torch::Tensor& windows) {
  if (windows.dim() != 2 || windows.size(1) != kWindowSamples)
    throw Error("logSpectrogramTorch", "expected B x " + std::to_string(kWindowSamples) + " samples, got " +
                                           std::to_string(windows.dim()) + "-d tensor");
  const auto x = windows.to(torch::kFloat32);
  // Zeros past the end so that the last frames (which start near the end of
  // the window) are complete: kHop*(kFrames-1) + kFrameLength samples in all.
  const int64_t padded = int64_t(kHop) * (kFrames - 1) + kFrameLength;
  const auto signal = torch::constant_pad_nd(x, {0, padded - kWindowSamples});
  // unfold takes frame i from sample kHop*i exactly (torch::stft would centre
  // a shorter window inside each n_fft frame and shift the frame starts).
  auto frames = signal.unfold(1, kFrameLength, kHop);  // B x kFrames x kFrameLength
  const auto hann = torch::from_blob(const_cast<float*>(hannWindow().data()), {kFrameLength}, torch::kFloat32)
                        .to(x.device());
  // Zero-pad each frame to kFftSize explicitly rather than through rfft's `n`
  // (whose type differs between LibTorch 1.13 and 2.x).
  frames = torch::constant_pad_nd(frames * hann, {0, kFftSize - kFrameLength});
  const auto spectrum = torch::fft::rfft(frames);  // B x kFrames x kBins, complex
  const auto magnitude = torch::abs(spectrum);
  return torch::log(magnitude + kLogFloor).transpose(1, 2).contiguous();
}

}  // namespace soundspot::audio
