#include "core/data/Augment.h"
#include "core/data/ClipCache.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot::data;

class TestAugment : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void identityJitterKeepsImage() {
    std::vector<uint8_t> img(16 * 8 * 3);
    for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(i * 7 % 251);
    QCOMPARE(augmentImage(img.data(), 16, 8, ImageJitter{}), img);
  }
  void flipMirrorsRows() {
    std::vector<uint8_t> img(4 * 2 * 3);
    for (size_t i = 0; i < img.size(); ++i) img[i] = static_cast<uint8_t>(i * 10);
    ImageJitter j;
    j.flip = true;
    const auto out = augmentImage(img.data(), 4, 2, j);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 4; ++x)
        for (int c = 0; c < 3; ++c) QCOMPARE(out[(y * 4 + x) * 3 + c], img[(y * 4 + (3 - x)) * 3 + c]);
  }
  void cropZoomsIntoQuadrant() {
    // Left half red, right half blue: a crop of the right half is all blue.
    const int w = 32, h = 32;
    std::vector<uint8_t> img(w * h * 3, 0);
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) img[(y * w + x) * 3 + (x < w / 2 ? 0 : 2)] = 200;
    ImageJitter j;
    j.cropX = 0.5;
    j.cropW = 0.5;
    j.cropH = 0.5;
    const auto out = augmentImage(img.data(), w, h, j);
    for (int i = 0; i < w * h; ++i) {
      QCOMPARE(int(out[i * 3 + 0]), 0);
      QCOMPARE(int(out[i * 3 + 2]), 200);
    }
  }
  void brightnessAndSaturation() {
    std::vector<uint8_t> px = {200, 100, 50};
    ImageJitter j;
    j.saturation = 0;  // grey
    auto g = augmentImage(px.data(), 1, 1, j);
    const int grey = static_cast<int>(std::lround(0.299 * 200 + 0.587 * 100 + 0.114 * 50));
    QCOMPARE(int(g[0]), grey);
    QCOMPARE(int(g[1]), grey);
    j = ImageJitter{};
    j.brightness = 0.5;
    auto b = augmentImage(px.data(), 1, 1, j);
    QCOMPARE(int(b[0]), 100);
    QCOMPARE(int(b[1]), 50);
    QCOMPARE(int(b[2]), 25);
  }
  void jitterWithinRanges() {
    std::mt19937_64 rng(3);
    AugmentRanges r;
    int flips = 0;
    for (int i = 0; i < 1000; ++i) {
      const ImageJitter j = drawImageJitter(rng, r);
      QVERIFY(j.cropW >= r.minCropScale && j.cropW <= 1.0);
      QVERIFY(j.cropX >= 0 && j.cropX + j.cropW <= 1.0 + 1e-12);
      QVERIFY(j.cropY >= 0 && j.cropY + j.cropH <= 1.0 + 1e-12);
      QVERIFY(std::abs(j.brightness - 1) <= r.brightness);
      QVERIFY(std::abs(j.saturation - 1) <= r.saturation);
      flips += j.flip;
      const float g = drawGain(rng, r);
      QVERIFY(std::abs(20 * std::log10(g)) <= r.gainDb + 1e-4);
    }
    QVERIFY(flips > 400 && flips < 600);
  }
  void gainScalesAndClips() {
    std::vector<float> s = {0.1f, -0.2f, 0.6f, -0.9f};
    applyGain(s.data(), s.size(), 2.f);
    QCOMPARE(s, (std::vector<float>{0.2f, -0.4f, 1.f, -1.f}));
  }
  void resizeMatchesBilinearReference() {
    // 2x1 -> 4x1 with half-pixel centres: 0, 0.25, 0.75, 1 between the pixels.
    std::vector<uint8_t> img = {0, 0, 0, 200, 100, 40};
    const auto out = resizeRgb(img.data(), 2, 1, 4, 1);
    QCOMPARE(int(out[0]), 0);
    QCOMPARE(int(out[3]), 50);
    QCOMPARE(int(out[6]), 150);
    QCOMPARE(int(out[9]), 200);
    QCOMPARE(int(out[10]), 100);
  }
};
SOUNDSPOT_TEST(TestAugment)
#include "test_augment.moc"
