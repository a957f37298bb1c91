// The FFTW spectrogram against a direct DFT of the paper's definition written
// here independently, plus the properties a user of it relies on.
#include "core/audio/Spectrogram.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>
#include <thread>
#include <vector>

using namespace soundspot;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<float> noise(uint32_t seed, float amplitude = 0.3f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, amplitude);
  std::vector<float> v(audio::kWindowSamples);
  for (auto& s : v) s = g(rng);
  return v;
}

std::vector<float> tone(double hz, float amplitude = 0.5f) {
  std::vector<float> v(audio::kWindowSamples);
  for (int n = 0; n < audio::kWindowSamples; ++n)
    v[n] = float(amplitude * std::sin(2 * kPi * hz * n / audio::kSampleRate));
  return v;
}

// |X_i[f]| by the O(N^2) DFT in double: 480 samples from 240*i (zeros past
// 48000), periodic Hann 0.5 - 0.5 cos(2 pi n / 480), zero-padded to 512.
std::vector<double> referenceMagnitudes(const std::vector<float>& x) {
  std::vector<double> mag(size_t(257) * 200);
  std::vector<double> frame(480);
  for (int i = 0; i < 200; ++i) {
    for (int n = 0; n < 480; ++n) {
      const int s = 240 * i + n;
      const double w = 0.5 - 0.5 * std::cos(2 * kPi * n / 480);
      frame[n] = s < 48000 ? x[s] * w : 0.0;
    }
    for (int f = 0; f < 257; ++f) {
      double re = 0, im = 0;
      for (int n = 0; n < 480; ++n) {
        re += frame[n] * std::cos(2 * kPi * f * n / 512);
        im -= frame[n] * std::sin(2 * kPi * f * n / 512);
      }
      mag[size_t(f) * 200 + i] = std::sqrt(re * re + im * im);
    }
  }
  return mag;
}

}  // namespace

class TestSpectrogram : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void constantsMatchThePaper() {
    QCOMPARE(audio::kBins, 257);
    QCOMPARE(audio::kFrames, 200);
    QCOMPARE(audio::logSpectrogram(noise(1).data()).size(), size_t(257 * 200));
  }

  void matchesDirectDft() {
    auto x = noise(7);
    // A tone on top makes some bins large and others small.
    const auto t = tone(1234.5);
    for (size_t n = 0; n < x.size(); ++n) x[n] += t[n];
    const auto spec = audio::logSpectrogram(x.data());
    const auto ref = referenceMagnitudes(x);
    double maxDiff = 0;
    int compared = 0;
    for (size_t k = 0; k < ref.size(); ++k) {
      if (ref[k] < 1e-3) continue;  // the log is ill-conditioned near the floor
      maxDiff = std::max(maxDiff, std::abs(double(spec[k]) - std::log(ref[k] + 1e-7)));
      ++compared;
    }
    qInfo("max |log diff| = %.3g over %d bins", maxDiff, compared);
    QVERIFY(compared > 257 * 190);
    QVERIFY2(maxDiff < 1e-3, qPrintable(QString::number(maxDiff)));
  }

  void lastFramesSeeZerosPastTheWindow() {
    // Sound only in the last 100 samples: frame 199 (samples 47760..48239)
    // sees it, frame 198 (47520..47999) too, frame 197 (47280..47759) not.
    std::vector<float> x(audio::kWindowSamples, 0.f);
    for (int n = 47900; n < 48000; ++n) x[n] = 1.f;
    const auto spec = audio::logSpectrogram(x.data());
    const float floorValue = std::log(1e-7f);
    QVERIFY(spec[0 * 200 + 199] > floorValue + 5);
    QVERIFY(spec[0 * 200 + 198] > floorValue + 5);
    QCOMPARE(spec[0 * 200 + 197], floorValue);
    const auto ref = referenceMagnitudes(x);
    QVERIFY(std::abs(spec[199] - std::log(ref[199] + 1e-7)) < 1e-3);
  }

  void tonePeaksInItsBin() {
    for (double hz : {440.0, 1000.0, 3000.0, 12345.0}) {
      const auto x = tone(hz);
      const auto spec = audio::logSpectrogram(x.data());
      const int expected = int(std::lround(hz * 512 / 48000));
      for (int i : {10, 100, 150}) {  // frames fully inside the window
        int best = 0;
        for (int f = 1; f < 257; ++f)
          if (spec[size_t(f) * 200 + i] > spec[size_t(best) * 200 + i]) best = f;
        QCOMPARE(best, expected);
      }
    }
  }

  void zeroInputGivesTheFloor() {
    const std::vector<float> x(audio::kWindowSamples, 0.f);
    const auto spec = audio::logSpectrogram(x.data());
    for (float v : spec) QCOMPARE(v, std::log(1e-7f));
    QVERIFY(std::abs(spec[0] - (-16.118095651)) < 1e-4);
  }

  void concurrentCallsAgree() {
    std::vector<std::vector<float>> inputs;
    for (uint32_t s = 0; s < 4; ++s) inputs.push_back(noise(100 + s));
    std::vector<std::vector<float>> expected;
    for (const auto& x : inputs) expected.push_back(audio::logSpectrogram(x.data()));
    constexpr int kThreads = 8, kRepeats = 20;
    std::vector<int> mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        std::vector<float> out(257 * 200);
        for (int r = 0; r < kRepeats; ++r) {
          const size_t which = size_t(t + r) % inputs.size();
          audio::logSpectrogram(inputs[which].data(), out.data());
          if (out != expected[which]) ++mismatches[t];
        }
      });
    for (auto& th : threads) th.join();
    for (int m : mismatches) QCOMPARE(m, 0);
  }
};
SOUNDSPOT_TEST(TestSpectrogram)
#include "test_spectrogram.moc"
