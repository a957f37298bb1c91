// The batched torch spectrogram must equal the FFTW one (same definition).
#include "core/audio/Spectrogram.h"
#include "core/audio/TorchSpectrogram.h"
#include "core/common/Error.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace soundspot;

class TestTorchSpectrogram : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void matchesFftwVersion() {
    torch::manual_seed(3);
    auto windows = 0.2 * torch::randn({3, audio::kWindowSamples});
    // Row 1 holds a tone, row 2 silence in its second half.
    const auto n = torch::arange(audio::kWindowSamples, torch::kFloat64);
    windows[1] += (0.5 * torch::sin(2 * M_PI * 2500.0 * n / audio::kSampleRate)).to(torch::kFloat32);
    windows[2].slice(0, audio::kWindowSamples / 2).zero_();
    windows = windows.contiguous();
    const auto spec = audio::logSpectrogramTorch(windows);
    QCOMPARE(spec.sizes().vec(), (std::vector<int64_t>{3, 257, 200}));
    QCOMPARE(spec.scalar_type(), torch::kFloat32);
    double maxDiff = 0;
    for (int b = 0; b < 3; ++b) {
      const auto ref = audio::logSpectrogram(windows[b].data_ptr<float>());
      const auto refT = torch::from_blob(const_cast<float*>(ref.data()), {257, 200}, torch::kFloat32);
      // Near the floor (silent frames) both sides are ln(1e-7) up to rounding
      // of tiny magnitudes; compare where the reference is above ln(1e-3).
      const auto mask = refT > std::log(1e-3);
      const auto diff = (spec[b] - refT).abs().masked_select(mask);
      maxDiff = std::max(maxDiff, diff.max().item<double>());
      // Silent frames are exactly the floor in both.
      const auto silent = refT.le(std::log(1e-6));
      if (silent.any().item<bool>())
        QVERIFY((spec[b].masked_select(silent) - refT.masked_select(silent)).abs().max().item<double>() < 0.5);
    }
    qInfo("max |log diff| torch vs FFTW = %.3g", maxDiff);
    QVERIFY2(maxDiff < 1e-3, qPrintable(QString::number(maxDiff)));
  }

  void acceptsOtherDtypes() {
    torch::manual_seed(4);
    const auto w = torch::randn({2, audio::kWindowSamples}, torch::kFloat64);
    const auto a = audio::logSpectrogramTorch(w);
    const auto b = audio::logSpectrogramTorch(w.to(torch::kFloat32));
    QCOMPARE(a.scalar_type(), torch::kFloat32);
    QVERIFY(torch::allclose(a, b));
  }

  void rejectsWrongShape() {
    QVERIFY_THROWS_EXCEPTION(Error, audio::logSpectrogramTorch(torch::zeros({2, 1000})));
    QVERIFY_THROWS_EXCEPTION(Error, audio::logSpectrogramTorch(torch::zeros({audio::kWindowSamples})));
  }
};
SOUNDSPOT_TEST(TestTorchSpectrogram)
#include "test_torch_spectrogram.moc"
