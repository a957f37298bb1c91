#pragma once
// One AVOL-Net localization map: 14x14 probabilities (after the sigmoid),
// row-major, row 0 at the top of the frame.
#include <array>

namespace soundspot::engine {

constexpr int kMapSize = 14;
using HeatMap = std::array<float, kMapSize * kMapSize>;

// Linear blend of two maps: a*(1-w) + b*w. Blending the maps and then
// upsampling equals upsampling both and blending (both are linear), which is
// what the shader does.
HeatMap blendMaps(const HeatMap& a, const HeatMap& b, float w);

// Bilinear sample at normalised coordinates (u, v) in [0, 1] across the
// frame, with texel centres at (i + 0.5) / 14 and clamped edges: exactly
// what GL_LINEAR + GL_CLAMP_TO_EDGE sampling of a 14x14 texture gives.
float sampleBilinear(const HeatMap& map, float u, float v);

}  // namespace soundspot::engine
