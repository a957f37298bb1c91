#pragma once
// Bilinear resizing of a localization map (row-major, one channel), with the
// same sampling as torch's interpolate(mode="bilinear", antialias=false):
// alignCorners=false maps output pixel centres onto input pixel centres
// (source = (dst + 0.5) * in / out - 0.5, clamped at the borders);
// alignCorners=true maps the corner pixels onto each other
// (source = dst * (in - 1) / (out - 1)).
#include <vector>

namespace soundspot::eval {

std::vector<float> resizeBilinear(const float* map, int height, int width, int outHeight, int outWidth,
                                  bool alignCorners);

}  // namespace soundspot::eval
