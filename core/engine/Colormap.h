#pragma once
// The colormaps of the localization overlay, defined once: the CPU overlay
// (Overlay.h, used by `soundspot-cli localize`) reads these tables directly
// and the viewer's fragment shader receives the very same table as a
// 256x1 texture, so both paths colour a map value identically.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace soundspot::engine {

enum class Colormap { Jet, Inferno, Viridis, Greyscale };

constexpr int kColormapSize = 256;
using ColormapTable = std::array<std::array<uint8_t, 3>, kColormapSize>;  // RGB per entry

const ColormapTable& colormapTable(Colormap map);

// Index of the table entry used for a map value in [0, 1] (clamped): the
// shader computes the same index, so CPU and GPU pick the same colour.
inline int colormapIndex(float value) {
  const float v = value < 0.f ? 0.f : (value > 1.f ? 1.f : value);
  return static_cast<int>(v * (kColormapSize - 1) + 0.5f);
}

std::string toString(Colormap map);                 // "jet", "inferno", "viridis", "greyscale"
Colormap parseColormap(const std::string& name);     // throws UsageError
const std::vector<Colormap>& allColormaps();

}  // namespace soundspot::engine
