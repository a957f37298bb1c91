#include "core/eval/MapResize.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace soundspot::eval {
namespace {

struct Tap {
  int lo, hi;
  float t;  // weight of hi
};

Tap sourceTap(int dst, int in, int out, bool alignCorners) {
  double src;
  if (alignCorners)
    src = out > 1 ? double(dst) * (in - 1) / (out - 1) : 0.0;
  else
    src = std::max(0.0, (dst + 0.5) * double(in) / out - 0.5);
  const int lo = std::min(int(std::floor(src)), in - 1);
  const int hi = std::min(lo + 1, in - 1);
  return {lo, hi, float(src - lo)};
}

}  // namespace

std::vector<float> resizeBilinear(const float* map, int height, int width, int outHeight, int outWidth,
                                  bool alignCorners) {
  if (height <= 0 || width <= 0 || outHeight <= 0 || outWidth <= 0)
    throw Error("resizeBilinear", "sizes must be positive (got " + std::to_string(height) + "x" +
                                      std::to_string(width) + " -> " + std::to_string(outHeight) + "x" +
                                      std::to_string(outWidth) + ")");
  std::vector<Tap> xs(outWidth);
  for (int x = 0; x < outWidth; ++x) xs[x] = sourceTap(x, width, outWidth, alignCorners);
  std::vector<float> out(size_t(outHeight) * outWidth);
  for (int y = 0; y < outHeight; ++y) {
    const Tap ty = sourceTap(y, height, outHeight, alignCorners);
    const float* r0 = map + size_t(ty.lo) * width;
    const float* r1 = map + size_t(ty.hi) * width;
    float* row = out.data() + size_t(y) * outWidth;
    for (int x = 0; x < outWidth; ++x) {
      const Tap& tx = xs[x];
      const float top = r0[tx.lo] + tx.t * (r0[tx.hi] - r0[tx.lo]);
      const float bottom = r1[tx.lo] + tx.t * (r1[tx.hi] - r1[tx.lo]);
      row[x] = top + ty.t * (bottom - top);
    }
  }
  return out;
}

}  // namespace soundspot::eval
