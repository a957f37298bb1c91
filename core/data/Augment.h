#pragma once
// Training augmentation: on the image a random crop (scale jitter) resized
// back, a horizontal flip, brightness and saturation jitter; on the audio a
// gain jitter applied to the waveform before the spectrogram (so the
// log-spectrogram sees a level change, as with a louder or quieter recording).
#include <cstdint>
#include <random>
#include <vector>

namespace soundspot::data {

struct AugmentRanges {
  double minCropScale = 0.7;  // side of the crop as a fraction of the frame side
  double brightness = 0.2;    // multiply by 1 +- this
  double saturation = 0.3;    // blend with grey: 1 +- this
  double gainDb = 6.0;        // +- dB
};

struct ImageJitter {
  double cropX = 0, cropY = 0, cropW = 1, cropH = 1;  // normalised crop rectangle
  bool flip = false;
  double brightness = 1;
  double saturation = 1;
};

ImageJitter drawImageJitter(std::mt19937_64& rng, const AugmentRanges& r = {});
float drawGain(std::mt19937_64& rng, const AugmentRanges& r = {});

// Applies the jitter to packed RGB (w x h), returning an image of the same size.
std::vector<uint8_t> augmentImage(const uint8_t* rgb, int w, int h, const ImageJitter& j);
// Multiplies the waveform by `gain`, clipping to [-1, 1].
void applyGain(float* samples, size_t n, float gain);

}  // namespace soundspot::data
