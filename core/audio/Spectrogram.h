#pragma once
// The paper's audio input ("Objects that Sound", sec. 3): a log-magnitude
// spectrogram of 1 s of 48 kHz mono sound.
//
// The 1 s window centred on time t is the kWindowSamples samples starting at
// t - 0.5 s (zeros outside the media). Frame i = 0..kFrames-1 is the
// kFrameLength samples starting at sample kHop*i of the window (zeros past its
// end), multiplied by a periodic Hann window, zero-padded to kFftSize and
// transformed; S[f][i] = ln(|X_i[f]| + kLogFloor), f = 0..kBins-1.
// Output is frequency major: index f * kFrames + i.
//
// Thread-safe: the FFTW plan is made once (under a lock) and every call
// executes it on its own buffers.
#include <vector>

namespace soundspot::audio {

constexpr int kSampleRate = 48000, kWindowSamples = 48000, kFrameLength = 480, kHop = 240, kFftSize = 512,
              kBins = kFftSize / 2 + 1, kFrames = 200;
constexpr float kLogFloor = 1e-7f;

// window: kWindowSamples samples; out: kBins * kFrames floats.
void logSpectrogram(const float* window, float* out);
std::vector<float> logSpectrogram(const float* window);

// The periodic Hann window of length kFrameLength (shared with the torch version).
const std::vector<float>& hannWindow();

}  // namespace soundspot::audio
