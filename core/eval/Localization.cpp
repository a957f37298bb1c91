#include "core/eval/Localization.h"

#include "core/common/Error.h"
#include "core/eval/MapResize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace soundspot::eval {

bool insideAny(const std::vector<Box>& boxes, double x, double y) {
  for (const auto& b : boxes)
    if (x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1) return true;
  return false;
}

Point mapPeak(const float* map, int mapH, int mapW, int frameW, int frameH) {
  const auto up = resizeBilinear(map, mapH, mapW, frameH, frameW, false);
  const size_t best = size_t(std::max_element(up.begin(), up.end()) - up.begin());
  const int y = int(best / size_t(frameW)), x = int(best % size_t(frameW));
  return {(x + 0.5) / frameW, (y + 0.5) / frameH};
}

PeakPlace peakPlace(Point peak, const std::vector<Box>& sounding, const std::vector<Box>& silent) {
  if (insideAny(sounding, peak.x, peak.y)) return PeakPlace::Sounding;
  return insideAny(silent, peak.x, peak.y) ? PeakPlace::SilentObject : PeakPlace::Background;
}

bool centreHit(const std::vector<Box>& boxes) { return insideAny(boxes, 0.5, 0.5); }

double objectBaseline(int soundingVisible, int visible) {
  if (soundingVisible < 0 || soundingVisible > visible)
    throw Error("objectBaseline", "sounding objects must be between 0 and the number of visible objects");
  return visible > 0 ? double(soundingVisible) / visible : 0.0;
}

double ciou(const float* map, int mapH, int mapW, const std::vector<Box>& boxes) {
  constexpr int S = kCiouSize;
  auto pred = resizeBilinear(map, mapH, mapW, S, S, true);
  const auto [lo, hi] = std::minmax_element(pred.begin(), pred.end());
  const float mn = *lo, range = *hi - *lo;
  // A constant map normalises to all zeros (numpy would give NaN); it then
  // predicts every pixel, the least informative answer.
  for (auto& v : pred) v = range > 0 ? (v - mn) / range : 0.f;
  auto sorted = pred;
  std::nth_element(sorted.begin(), sorted.begin() + S * S / 2, sorted.end());
  const float threshold = sorted[S * S / 2];

  std::vector<unsigned char> gt(size_t(S) * S, 0);
  for (const auto& b : boxes) {
    const int x0 = std::clamp(int(std::floor(b.x0 * S)), 0, S), x1 = std::clamp(int(std::floor(b.x1 * S)), 0, S);
    const int y0 = std::clamp(int(std::floor(b.y0 * S)), 0, S), y1 = std::clamp(int(std::floor(b.y1 * S)), 0, S);
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) gt[size_t(y) * S + x] = 1;
  }
  double inter = 0, gtArea = 0, falsePositive = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    const bool p = pred[i] >= threshold;
    gtArea += gt[i];
    if (p && gt[i]) inter += 1;
    if (p && !gt[i]) falsePositive += 1;
  }
  const double denominator = gtArea + falsePositive;
  return denominator > 0 ? inter / denominator : 0.0;
}

double ciouAt50(const std::vector<double>& cious) {
  if (cious.empty()) return 0.0;
  return double(std::count_if(cious.begin(), cious.end(), [](double v) { return v >= 0.5; })) / cious.size();
}

double aucOfSuccess(const std::vector<double>& cious) {
  if (cious.empty()) return 0.0;
  std::vector<double> success(21);
  for (int i = 0; i <= 20; ++i) {
    const double t = i / 20.0;  // exact at 0.5 (0.05 * i is not exact elsewhere)
    success[i] = double(std::count_if(cious.begin(), cious.end(), [&](double v) { return v >= t; })) / cious.size();
  }
  double area = 0;
  for (int i = 0; i < 20; ++i) area += 0.05 * (success[i] + success[i + 1]) / 2;
  return area;
}

std::pair<double, double> classResampledInterval(const std::vector<ClassHits>& classes, uint64_t seed, int draws) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (classes.size() < 2 || draws < 1) return {nan, nan};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, classes.size() - 1);
  std::vector<double> rates;
  rates.reserve(static_cast<size_t>(draws));
  for (int d = 0; d < draws; ++d) {
    int64_t instants = 0, hits = 0;
    for (size_t i = 0; i < classes.size(); ++i) {
      const ClassHits& c = classes[pick(rng)];
      instants += c.instants;
      hits += c.hits;
    }
    if (instants > 0) rates.push_back(static_cast<double>(hits) / static_cast<double>(instants));
  }
  if (rates.empty()) return {nan, nan};
  std::sort(rates.begin(), rates.end());
  auto quantile = [&](double q) { return rates[static_cast<size_t>(q * static_cast<double>(rates.size() - 1) + 0.5)]; };
  return {quantile(0.025), quantile(0.975)};
}

}  // namespace soundspot::eval
