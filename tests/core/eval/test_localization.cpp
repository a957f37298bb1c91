// Pointing game, cIoU and AUC on hand-made maps whose answers follow from
// the definitions (see core/eval/Localization.h).
#include "core/common/Error.h"
#include "core/eval/Localization.h"
#include "core/eval/MapResize.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot;
using eval::Box;

namespace {
bool near(double a, double b, double tol = 1e-6) { return std::abs(a - b) < tol; }

std::vector<float> map14(const std::function<float(int row, int col)>& f) {
  std::vector<float> m(14 * 14);
  for (int r = 0; r < 14; ++r)
    for (int c = 0; c < 14; ++c) m[r * 14 + c] = f(r, c);
  return m;
}

// The pointing game's hit on a 640 x 480 frame.
bool pointingHit(const std::vector<float>& m, const std::vector<Box>& sounding) {
  return eval::peakPlace(eval::mapPeak(m.data(), 14, 14, 640, 480), sounding, {}) == eval::PeakPlace::Sounding;
}
}  // namespace

class TestLocalization : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void bilinearMatchesTorchInterpolate() {
    // Values of torch.nn.functional.interpolate on [[0, 1], [2, 3]].
    const std::vector<float> src = {0, 1, 2, 3};
    const auto half = eval::resizeBilinear(src.data(), 2, 2, 4, 4, false);
    const std::vector<float> halfExpected = {0, 0.25f, 0.75f, 1,    0.5f, 0.75f, 1.25f, 1.5f,
                                             1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3};
    for (size_t i = 0; i < half.size(); ++i) QVERIFY(near(half[i], halfExpected[i]));
    const auto corners = eval::resizeBilinear(src.data(), 2, 2, 3, 3, true);
    const std::vector<float> cornersExpected = {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3};
    for (size_t i = 0; i < corners.size(); ++i) QVERIFY(near(corners[i], cornersExpected[i]));
    QVERIFY_THROWS_EXCEPTION(Error, eval::resizeBilinear(src.data(), 2, 2, 0, 4, false));
  }

  void pointingFindsThePeak() {
    // Peak in cell (row 3, col 10): centre at x = 10.5/14 = 0.75, y = 3.5/14 = 0.25.
    const auto m = map14([](int r, int c) { return (r == 3 && c == 10) ? 1.f : 0.f; });
    const std::vector<Box> around = {{0.70f, 0.20f, 0.80f, 0.30f}};
    const std::vector<Box> elsewhere = {{0.10f, 0.10f, 0.40f, 0.90f}};
    QVERIFY(pointingHit(m, around));
    QVERIFY(!pointingHit(m, elsewhere));
    QVERIFY(pointingHit(m, {elsewhere[0], around[0]}));  // any box
    QVERIFY(!pointingHit(m, {}));
    // A box just left of the peak cell misses.
    QVERIFY(!pointingHit(m, {{0.60f, 0.0f, 0.70f, 1.0f}}));
  }

  void peakPlaceSaysWhereTheMissesFall() {
    // Peak in cell (row 3, col 10): (0.75, 0.25) in the frame.
    const auto m = map14([](int r, int c) { return (r == 3 && c == 10) ? 1.f : 0.f; });
    const eval::Point peak = eval::mapPeak(m.data(), 14, 14, 640, 480);
    QVERIFY(near(peak.x, 0.75, 1e-2) && near(peak.y, 0.25, 1e-2));
    const std::vector<Box> onPeak = {{0.70f, 0.20f, 0.80f, 0.30f}}, elsewhere = {{0.10f, 0.10f, 0.40f, 0.90f}};
    QVERIFY(eval::peakPlace(peak, onPeak, elsewhere) == eval::PeakPlace::Sounding);
    QVERIFY(eval::peakPlace(peak, elsewhere, onPeak) == eval::PeakPlace::SilentObject);
    QVERIFY(eval::peakPlace(peak, elsewhere, {}) == eval::PeakPlace::Background);
    QVERIFY(eval::peakPlace(peak, onPeak, onPeak) == eval::PeakPlace::Sounding);  // overlapping: a hit
  }

  void centreAndObjectBaselines() {
    QVERIFY(eval::centreHit({{0.4f, 0.4f, 0.6f, 0.6f}}));
    QVERIFY(!eval::centreHit({{0.0f, 0.0f, 0.3f, 0.3f}}));
    QVERIFY(near(eval::objectBaseline(1, 2), 0.5));
    QVERIFY(near(eval::objectBaseline(0, 0), 0.0));
    QVERIFY_THROWS_EXCEPTION(Error, eval::objectBaseline(3, 2));
  }

  void ciouOfHandMadeMaps() {
    // Left half hot, box = left half: pred = columns 0..111 exactly -> 1.
    const auto left = map14([](int, int c) { return c < 7 ? 1.f : 0.f; });
    QVERIFY(near(eval::ciou(left.data(), 14, 14, {{0, 0, 0.5f, 1}}), 1.0));
    // Same map, box = right half: no overlap -> 0.
    QVERIFY(near(eval::ciou(left.data(), 14, 14, {{0.5f, 0, 1, 1}}), 0.0));
    // Box = left quarter (columns 0..55): pred covers 112 columns;
    // cIoU = 56*224 / (56*224 + 56*224) = 0.5.
    QVERIFY(near(eval::ciou(left.data(), 14, 14, {{0, 0, 0.25f, 1}}), 0.5));
    // Constant map: every pixel predicted; box = top-left quarter ->
    // 112*112 / 224^2 = 0.25.
    const auto flat = map14([](int, int) { return 0.3f; });
    QVERIFY(near(eval::ciou(flat.data(), 14, 14, {{0, 0, 0.5f, 0.5f}}), 0.25));
    // More than half of the map at its minimum: the median is the minimum and
    // every pixel is predicted (EZ-VSL's thresholding), so again 0.25.
    const auto quadrant = map14([](int r, int c) { return (r < 7 && c < 7) ? 1.f : 0.f; });
    QVERIFY(near(eval::ciou(quadrant.data(), 14, 14, {{0, 0, 0.5f, 0.5f}}), 0.25));
    // Union of boxes: two overlapping boxes covering the left half -> 1.
    QVERIFY(near(eval::ciou(left.data(), 14, 14, {{0, 0, 0.5f, 0.6f}, {0, 0.4f, 0.5f, 1}}), 1.0));
  }

  void successRateAuc() {
    QVERIFY(near(eval::aucOfSuccess({1.0, 1.0}), 1.0));
    // All zero: success 1 at t = 0 only -> one trapezoid 0.05 * (1 + 0) / 2.
    QVERIFY(near(eval::aucOfSuccess({0.0, 0.0}), 0.025));
    // 0.5: success 1 for t <= 0.5 (10 full intervals) then one half interval.
    QVERIFY(near(eval::aucOfSuccess({0.5}), 0.525));
    // Mixed {0.2, 0.8}: success 1 up to t = 0.2, 0.5 up to 0.8, then 0:
    // 4 * 0.05 + 0.05 * 0.75 + 11 * 0.05 * 0.5 + 0.05 * 0.25 = 0.525.
    QVERIFY(near(eval::aucOfSuccess({0.2, 0.8}), 0.525));
    QVERIFY(near(eval::ciouAt50({0.2, 0.5, 0.7, 0.49}), 0.5));
  }

  void classResampledIntervalWidensWithDisagreeingClasses() {
    // Classes that all point alike leave nothing to resample.
    const auto same = eval::classResampledInterval({{10, 7}, {20, 14}, {30, 21}}, 1);
    QVERIFY(near(same.first, 0.7) && near(same.second, 0.7));
    // Half the classes always hit, half never: the interval spans much of [0, 1]
    // and holds the pooled rate 0.5; more classes of the same kind narrow it.
    std::vector<eval::ClassHits> split;
    for (int i = 0; i < 10; ++i) split.push_back({20, i % 2 == 0 ? 20 : 0});
    const auto wide = eval::classResampledInterval(split, 1);
    QVERIFY(wide.first < 0.25 && wide.first > 0.0 && wide.second > 0.75 && wide.second < 1.0);
    for (int i = 0; i < 90; ++i) split.push_back({20, i % 2 == 0 ? 20 : 0});
    const auto narrow = eval::classResampledInterval(split, 1);
    QVERIFY(narrow.first > wide.first && narrow.second < wide.second);
    QVERIFY(narrow.first < 0.5 && narrow.second > 0.5);
    // The same seed gives the same interval; one class gives none.
    QVERIFY(eval::classResampledInterval(split, 7) == eval::classResampledInterval(split, 7));
    QVERIFY(std::isnan(eval::classResampledInterval({{5, 3}}, 1).first));
  }
};
SOUNDSPOT_TEST(TestLocalization)
#include "test_localization.moc"
