// The shared colormap tables and the CPU overlay, checked against reference
// values computed independently (matplotlib's published colours, hand
// computed bilinear interpolation).
#include "core/common/Error.h"
#include "core/engine/Colormap.h"
#include "core/engine/HeatMap.h"
#include "core/engine/Overlay.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>
#include <vector>

using namespace soundspot::engine;

namespace {
bool near(const std::array<uint8_t, 3>& c, int r, int g, int b, int tol) {
  return std::abs(c[0] - r) <= tol && std::abs(c[1] - g) <= tol && std::abs(c[2] - b) <= tol;
}
}  // namespace

class TestOverlay : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void colormapsMatchReferenceColours() {
    // matplotlib: viridis(0) = #440154, viridis(1) = #fde725, inferno(0) =
    // #000004, inferno(1) = #fcffa4, inferno(0.5) = #bc3754, viridis(0.5) = #21918c.
    QVERIFY(near(colormapTable(Colormap::Viridis)[0], 0x44, 0x01, 0x54, 4));
    QVERIFY(near(colormapTable(Colormap::Viridis)[255], 0xfd, 0xe7, 0x25, 4));
    QVERIFY(near(colormapTable(Colormap::Viridis)[128], 0x21, 0x91, 0x8c, 5));
    QVERIFY(near(colormapTable(Colormap::Inferno)[0], 0x00, 0x00, 0x04, 4));
    QVERIFY(near(colormapTable(Colormap::Inferno)[255], 0xfc, 0xff, 0xa4, 5));
    QVERIFY(near(colormapTable(Colormap::Inferno)[128], 0xbc, 0x37, 0x54, 5));
    // jet: dark blue, green-ish in the middle, dark red at the top.
    QVERIFY(near(colormapTable(Colormap::Jet)[0], 0, 0, 128, 2));
    QVERIFY(near(colormapTable(Colormap::Jet)[255], 128, 0, 0, 2));
    QVERIFY(near(colormapTable(Colormap::Greyscale)[77], 77, 77, 77, 0));
    QCOMPARE(colormapIndex(-1.f), 0);
    QCOMPARE(colormapIndex(2.f), 255);
    QCOMPARE(colormapIndex(0.5f), 128);
  }

  void namesRoundTrip() {
    for (Colormap m : allColormaps()) QVERIFY(parseColormap(toString(m)) == m);
    QVERIFY_THROWS_EXCEPTION(soundspot::UsageError, parseColormap("rainbow"));
  }

  void bilinearMatchesHandComputation() {
    HeatMap m{};
    m[0] = 1.f;  // top-left texel only
    // At the texel centre (0.5/14) the value is the texel's; half way to the
    // next centre it is 0.5; the edge is clamped.
    QCOMPARE(sampleBilinear(m, 0.5f / 14, 0.5f / 14), 1.f);
    QVERIFY(std::abs(sampleBilinear(m, 1.0f / 14, 0.5f / 14) - 0.5f) < 1e-5f);
    QVERIFY(std::abs(sampleBilinear(m, 1.0f / 14, 1.0f / 14) - 0.25f) < 1e-5f);
    QCOMPARE(sampleBilinear(m, 0.f, 0.f), 1.f);
    QCOMPARE(sampleBilinear(m, 0.5f, 0.5f), 0.f);
    HeatMap a, b;
    a.fill(0.2f);
    b.fill(0.6f);
    QVERIFY(std::abs(blendMaps(a, b, 0.25f)[17] - 0.3f) < 1e-6f);
  }

  void overlayRespectsThresholdAndOpacity() {
    const int w = 28, h = 28;
    std::vector<uint8_t> rgb(w * h * 3);
    for (size_t i = 0; i < rgb.size(); i += 3) rgb[i] = 100, rgb[i + 1] = 50, rgb[i + 2] = 200;
    HeatMap m{};
    for (int y = 0; y < kMapSize; ++y)
      for (int x = 0; x < kMapSize; ++x) m[y * kMapSize + x] = x < 7 ? 1.f : 0.f;
    drawOverlay(rgb.data(), w, h, m, OverlayStyle{Colormap::Greyscale, 0.25f, 0.5f});
    // Left pixel: value 1 -> white mixed at 25%: 100*0.75 + 255*0.25 = 138.75.
    const uint8_t* left = &rgb[(14 * w + 2) * 3];
    QCOMPARE(int(left[0]), 139);
    QCOMPARE(int(left[1]), 101);  // 50*0.75 + 63.75 = 101.25
    QCOMPARE(int(left[2]), 214);  // 200*0.75 + 63.75 = 213.75
    // Right pixel: value 0 < threshold: untouched.
    const uint8_t* right = &rgb[(14 * w + 25) * 3];
    QCOMPARE(int(right[0]), 100);
    QCOMPARE(int(right[2]), 200);
  }
};
SOUNDSPOT_TEST(TestOverlay)
#include "test_overlay.moc"
