#pragma once
// SpecAugment-style masking (Park et al., 2019) of training spectrograms: a
// few random frequency bands and time stretches of each log-spectrogram are
// set to that spectrogram's mean, so that the audio tower cannot lean on one
// band or one instant of a recording it has heard many times (off unless
// asked for: train --spec-augment).
#include <torch/torch.h>

#include <cstdint>

namespace soundspot::training {

struct SpectrogramMasks {
  int frequencyMasks = 2;
  int maxFrequencyBins = 30;  // of 257 (about 2.8 kHz at 48 kHz)
  int timeMasks = 2;
  int maxTimeFrames = 20;     // of 200 (0.1 s)
};

// Masks `spectrograms` ([B, 1, F, T], any device) in place. The bands and
// stretches of sample b are a function of (seed, b) alone.
void applySpectrogramMasks(torch::Tensor& spectrograms, const SpectrogramMasks& masks, uint64_t seed);

}  // namespace soundspot::training
