#include "core/engine/HeatMap.h"

#include <algorithm>
#include <cmath>

namespace soundspot::engine {

HeatMap blendMaps(const HeatMap& a, const HeatMap& b, float w) {
  HeatMap out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = a[i] * (1.f - w) + b[i] * w;
  return out;
}

float sampleBilinear(const HeatMap& map, float u, float v) {
  const float x = std::clamp(u * kMapSize - 0.5f, 0.f, float(kMapSize - 1));
  const float y = std::clamp(v * kMapSize - 0.5f, 0.f, float(kMapSize - 1));
  const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
  const int x1 = std::min(x0 + 1, kMapSize - 1), y1 = std::min(y0 + 1, kMapSize - 1);
  const float fx = x - x0, fy = y - y0;
  auto at = [&](int xx, int yy) { return map[yy * kMapSize + xx]; };
  const float top = at(x0, y0) * (1 - fx) + at(x1, y0) * fx;
  const float bottom = at(x0, y1) * (1 - fx) + at(x1, y1) * fx;
  return top * (1 - fy) + bottom * fy;
}

}  // namespace soundspot::engine
