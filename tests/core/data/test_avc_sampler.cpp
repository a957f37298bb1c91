#include "core/common/Error.h"
#include "core/data/AvcSampler.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <set>

using namespace soundspot;
using namespace soundspot::data;

namespace {

// Three clips on different frame grids (25, 30 and 12.5 fps, one with a start
// offset), as a video's presentation timestamps would be.
std::vector<ClipTiming> timings() {
  std::vector<ClipTiming> t(3);
  t[0].duration = 4.0;
  for (int i = 13; i <= 87; i += 3) t[0].frameTimes.push_back(i / 25.0);
  t[1].duration = 6.0;
  for (int i = 15; i <= 165; i += 5) t[1].frameTimes.push_back(i / 30.0);
  t[2].duration = 3.0;
  for (int i = 7; i <= 30; ++i) t[2].frameTimes.push_back(0.02 + i / 12.5);
  return t;
}

bool onGrid(const ClipTiming& c, double t) {
  return std::any_of(c.frameTimes.begin(), c.frameTimes.end(), [&](double f) { return std::abs(f - t) < 1e-9; });
}

}  // namespace

class TestAvcSampler : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void everyAudioWindowIsCentredOnItsClipsFrameGrid() {
    const auto t = timings();
    SamplerOptions o;
    AvcSampler s(t, o);
    int positives = 0, negatives = 0;
    for (int64_t step = 0; step < 200; ++step)
      for (int64_t i = 0; i < 32; ++i) {
        const PairDraw d = s.draw(7, step, i, false);
        QVERIFY(onGrid(t[d.frameClip], d.frameTime));
        QVERIFY2(onGrid(t[d.audioClip], d.audioCentre), "audio centre off its clip's frame grid");
        if (d.corresponds) {
          ++positives;
          QCOMPARE(d.audioClip, d.frameClip);
          QCOMPARE(d.audioCentre, d.frameTime);
        } else {
          ++negatives;
          QVERIFY(d.audioClip != d.frameClip);
        }
      }
    QCOMPARE(positives, negatives);
  }
  void negativesCoverOtherClipsAndGrid() {
    const auto t = timings();
    AvcSampler s(t, SamplerOptions{});
    std::set<std::pair<size_t, size_t>> pairs;
    std::set<double> centres1;
    for (int64_t i = 1; i < 4000; i += 2) {
      const PairDraw d = s.draw(3, 0, i, false);
      pairs.insert({d.frameClip, d.audioClip});
      if (d.audioClip == 1) centres1.insert(d.audioCentre);
    }
    QCOMPARE(pairs.size(), size_t{6});  // every ordered pair of distinct clips
    QCOMPARE(centres1.size(), t[1].frameTimes.size());
  }
  void withoutFixNegativeCentresAreOffGrid() {
    const auto t = timings();
    SamplerOptions o;
    o.frameGridFix = false;
    AvcSampler s(t, o);
    int offGrid = 0, n = 0;
    for (int64_t i = 1; i < 2000; i += 2) {
      const PairDraw d = s.draw(11, 5, i, false);
      QVERIFY(!d.corresponds);
      QVERIFY(d.audioCentre >= 0.5 - 1e-9 && d.audioCentre <= t[d.audioClip].duration - 0.5 + 1e-9);
      // sample-precise
      QVERIFY(std::abs(d.audioCentre * 48000 - std::round(d.audioCentre * 48000)) < 1e-6);
      offGrid += onGrid(t[d.audioClip], d.audioCentre) ? 0 : 1;
      ++n;
    }
    QVERIFY2(offGrid > n * 95 / 100, qPrintable(QString("only %1 of %2 off grid").arg(offGrid).arg(n)));
  }
  void misalignmentStaysOnGridWithinRange() {
    const auto t = timings();
    SamplerOptions o;
    o.misalignSeconds = 1.0;
    AvcSampler s(t, o);
    int shifted = 0;
    for (int64_t i = 0; i < 2000; i += 2) {
      const PairDraw d = s.draw(5, 1, i, false);
      QVERIFY(d.corresponds);
      QVERIFY(onGrid(t[d.audioClip], d.audioCentre));
      QVERIFY(std::abs(d.audioCentre - d.frameTime) <= 1.0 + 1e-9);
      shifted += d.audioCentre != d.frameTime;
    }
    QVERIFY(shifted > 500);
  }
  void positivesOnlyMode() {
    AvcSampler s(timings(), SamplerOptions{});
    for (int64_t i = 0; i < 100; ++i) QVERIFY(s.draw(1, 2, i, true).corresponds);
  }
  void deterministicForSeedStepIndex() {
    AvcSampler s(timings(), SamplerOptions{});
    int differ = 0;
    for (int64_t i = 0; i < 64; ++i) {
      const PairDraw a = s.draw(42, 9, i, false), b = s.draw(42, 9, i, false), c = s.draw(43, 9, i, false);
      QCOMPARE(a.frameClip, b.frameClip);
      QCOMPARE(a.frameIndex, b.frameIndex);
      QCOMPARE(a.audioClip, b.audioClip);
      QCOMPARE(a.audioCentre, b.audioCentre);
      differ += (a.frameClip != c.frameClip || a.frameIndex != c.frameIndex || a.audioCentre != c.audioCentre);
    }
    QVERIFY(differ > 32);
  }
  void needsTwoClips() {
    auto t = timings();
    t.resize(1);
    QVERIFY_THROWS_EXCEPTION(Error, AvcSampler(t, SamplerOptions{}));
  }
};
SOUNDSPOT_TEST(TestAvcSampler)
#include "test_avc_sampler.moc"
