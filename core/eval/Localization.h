#pragma once
// Localization metrics of sounding objects.
//
// Pointing game ("Objects that Sound" sec. 6): the map is upsampled
// bilinearly to the frame; the hit is whether its maximum falls inside any
// sounding box.
//
// cIoU and AUC as in LVS (Chen et al. 2021) / EZ-VSL (Mo & Morgado 2022):
// the map is resized to 224 x 224 (bilinear, align_corners=true as in
// EZ-VSL's test.py), min-max normalised, and thresholded at its median
// (pred = value >= the value at index 224*224/2 of the ascending sorted
// values); gt = union of the sounding boxes rasterised at 224 x 224 (pixel
// columns floor(224*x0) .. floor(224*x1)-1, likewise rows, as EZ-VSL does);
// cIoU = sum(pred*gt) / (sum(gt) + sum(pred*[gt == 0])). Over a test set,
// ciou50 is the fraction of instants with cIoU >= 0.5 and the AUC is the
// area under the success rate (fraction with cIoU >= t) over t = 0, 0.05,
// ..., 1, integrated with the trapezoid rule (sklearn.metrics.auc, as EZ-VSL).
#include <cstdint>
#include <utility>
#include <vector>

namespace soundspot::eval {

// Normalised to the full displayed frame, x to the right, y down.
struct Box {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// Whether the normalised point (x, y) lies in any box (borders included).
bool insideAny(const std::vector<Box>& boxes, double x, double y);

// The pointing game's prediction: map (mapH x mapW row-major, e.g. 14 x 14)
// upsampled to frameW x frameH (align_corners=false), its first maximum in
// row-major order, returned as that pixel's centre, normalised.
struct Point {
  double x = 0, y = 0;
};
Point mapPeak(const float* map, int mapH, int mapW, int frameW, int frameH);

// Where a map's peak fell: on a sounding object (the pointing game's hit;
// never with no sounding boxes), else on a silent visible object, else on
// the background (the breakdown of the misses).
enum class PeakPlace { Sounding, SilentObject, Background };
PeakPlace peakPlace(Point peak, const std::vector<Box>& sounding, const std::vector<Box>& silent);
// The centre baseline: always point at the centre of the frame.
bool centreHit(const std::vector<Box>& boxes);
// The chance of hitting a sounding object by picking one visible object at
// random: sounding / visible (0 when nothing is visible).
double objectBaseline(int soundingVisible, int visible);

constexpr int kCiouSize = 224;
// cIoU of one map against the sounding boxes. With no boxes (sum(gt) = 0)
// the denominator can be 0; the result is then 0.
double ciou(const float* map, int mapH, int mapW, const std::vector<Box>& boxes);
// Fraction of values >= 0.5.
double ciouAt50(const std::vector<double>& cious);
// Trapezoid area under the success-rate curve over thresholds 0, 0.05, ..., 1.
double aucOfSuccess(const std::vector<double>& cious);

// Instants and hits of one sounding class.
struct ClassHits {
  int64_t instants = 0;
  int64_t hits = 0;
};
// 95% interval of the pointing accuracy when whole classes are resampled
// (bootstrap): the instants of a class share its few instances, so they are
// not independent draws. {lo, hi}; both NaN with fewer than 2 classes.
std::pair<double, double> classResampledInterval(const std::vector<ClassHits>& classes, uint64_t seed, int draws = 2000);

}  // namespace soundspot::eval
