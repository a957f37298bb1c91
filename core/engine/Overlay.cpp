#include "core/engine/Overlay.h"

#include <cmath>

namespace soundspot::engine {

void drawOverlay(uint8_t* rgb, int width, int height, const HeatMap& map, const OverlayStyle& style) {
  const ColormapTable& table = colormapTable(style.colormap);
  for (int y = 0; y < height; ++y) {
    const float v = (y + 0.5f) / height;
    uint8_t* row = rgb + static_cast<size_t>(y) * width * 3;
    for (int x = 0; x < width; ++x) {
      const float p = sampleBilinear(map, (x + 0.5f) / width, v);
      if (p < style.threshold) continue;
      const auto& c = table[colormapIndex(p)];
      uint8_t* px = row + x * 3;
      for (int ch = 0; ch < 3; ++ch)
        px[ch] = static_cast<uint8_t>(std::lround(px[ch] * (1.f - style.opacity) + c[ch] * style.opacity));
    }
  }
}

}  // namespace soundspot::engine
