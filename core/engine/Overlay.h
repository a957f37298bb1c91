#pragma once
// The overlay drawn on the CPU (headless export): the same rule as the
// viewer's fragment shader (shaders/overlay.frag). Per pixel: bilinear map
// value p; below the threshold the frame is untouched; otherwise the colour
// colormap(p) is mixed over the frame with the given opacity.
#include "core/engine/Colormap.h"
#include "core/engine/HeatMap.h"

#include <cstdint>

namespace soundspot::engine {

struct OverlayStyle {
  Colormap colormap = Colormap::Jet;
  float opacity = 0.5f;    // 0 = frame only, 1 = colour only
  float threshold = 0.2f;  // map values below are not drawn
};

// rgb: packed RGB24 width x height, modified in place.
void drawOverlay(uint8_t* rgb, int width, int height, const HeatMap& map, const OverlayStyle& style);

}  // namespace soundspot::engine
