#include "core/engine/Colormap.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>

namespace soundspot::engine {
namespace {

uint8_t toByte(double v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

// MATLAB's jet: piecewise linear blue -> cyan -> yellow -> red.
std::array<uint8_t, 3> jet(double t) {
  auto channel = [t](double centre) { return std::clamp(1.5 - std::abs(4.0 * t - centre), 0.0, 1.0); };
  return {toByte(channel(3.0)), toByte(channel(2.0)), toByte(channel(1.0))};
}

// Matplotlib's perceptually uniform maps, as the degree-6 polynomial fits
// published by Matt Zucker (shadertoy WlfXRN); error < 1% of full scale.
std::array<uint8_t, 3> polynomial(double t, const double c[7][3]) {
  std::array<uint8_t, 3> rgb{};
  for (int ch = 0; ch < 3; ++ch) {
    double v = c[6][ch];
    for (int k = 5; k >= 0; --k) v = v * t + c[k][ch];
    rgb[ch] = toByte(v);
  }
  return rgb;
}

constexpr double kViridis[7][3] = {
    {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
    {0.1050930431085774, 1.404613529898575, 1.384590162594685},
    {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
    {-4.634230498983486, -5.799100973351585, -19.33244095627987},
    {6.228269936347081, 14.17993336680509, 56.69055260068105},
    {4.776384997670288, -13.74514537774601, -65.35303263337234},
    {-5.435455855934631, 4.645852612178535, 26.3124352495832}};

constexpr double kInferno[7][3] = {
    {0.0002189403691192265, 0.001651004631001012, -0.01948089843709184},
    {0.1065134194856116, 0.5639564367884091, 3.932712388889277},
    {11.60249308247187, -3.972853965665698, -15.9423941062914},
    {-41.70399613139459, 17.43639888205313, 44.35414519872813},
    {77.162935699427, -33.40235894210092, -81.80730925738993},
    {-71.31942824499214, 32.62606426397723, 73.20951985803202},
    {25.13112622477341, -12.24266895238567, -23.07032500287172}};

ColormapTable build(Colormap map) {
  ColormapTable table{};
  for (int i = 0; i < kColormapSize; ++i) {
    const double t = static_cast<double>(i) / (kColormapSize - 1);
    switch (map) {
      case Colormap::Jet: table[i] = jet(t); break;
      case Colormap::Inferno: table[i] = polynomial(t, kInferno); break;
      case Colormap::Viridis: table[i] = polynomial(t, kViridis); break;
      case Colormap::Greyscale: table[i] = {toByte(t), toByte(t), toByte(t)}; break;
    }
  }
  return table;
}

}  // namespace

const ColormapTable& colormapTable(Colormap map) {
  static const std::array<ColormapTable, 4> tables{build(Colormap::Jet), build(Colormap::Inferno),
                                                   build(Colormap::Viridis), build(Colormap::Greyscale)};
  return tables[static_cast<size_t>(map)];
}

std::string toString(Colormap map) {
  switch (map) {
    case Colormap::Jet: return "jet";
    case Colormap::Inferno: return "inferno";
    case Colormap::Viridis: return "viridis";
    case Colormap::Greyscale: return "greyscale";
  }
  return "jet";
}

Colormap parseColormap(const std::string& name) {
  for (Colormap m : allColormaps())
    if (toString(m) == name) return m;
  if (name == "grayscale" || name == "grey" || name == "gray") return Colormap::Greyscale;
  throw UsageError("--colormap", "expected jet, inferno, viridis or greyscale, got '" + name + "'");
}

const std::vector<Colormap>& allColormaps() {
  static const std::vector<Colormap> all{Colormap::Jet, Colormap::Inferno, Colormap::Viridis, Colormap::Greyscale};
  return all;
}

}  // namespace soundspot::engine
