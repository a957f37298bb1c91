// train --spec-augment: each spectrogram loses a few frequency bands and time
// stretches to its own mean, the same ones for the same seed, and nothing
// else changes.
#include "tests/support/TestRegistry.h"
#include "training/SpectrogramMasks.h"

#include <QtTest/QtTest>

using namespace soundspot;

class TestSpectrogramMasks : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void masksBandsAndStretchesWithTheMean() {
    torch::manual_seed(3);
    const auto original = torch::rand({6, 1, 257, 200}) + 1;  // > 1 everywhere: a masked cell shows
    training::SpectrogramMasks masks;
    auto masked = original.clone();
    training::applySpectrogramMasks(masked, masks, 42);
    int changedSamples = 0;
    for (int64_t b = 0; b < 6; ++b) {
      const auto diff = masked[b][0].ne(original[b][0]);
      const float mean = original[b].mean().item<float>();
      // Every changed cell holds the sample's mean.
      QVERIFY(torch::allclose(masked[b][0].masked_select(diff), torch::full({diff.sum().item<int64_t>()}, mean)));
      // Changed cells form whole rows (bands) and whole columns (stretches).
      const auto rows = diff.all(1), cols = diff.all(0);
      const auto covered = rows.unsqueeze(1).logical_or(cols.unsqueeze(0));
      QVERIFY(torch::equal(covered, diff));
      QVERIFY(rows.sum().item<int64_t>() <= masks.frequencyMasks * masks.maxFrequencyBins);
      QVERIFY(cols.sum().item<int64_t>() <= masks.timeMasks * masks.maxTimeFrames);
      changedSamples += diff.any().item<bool>();
    }
    QVERIFY(changedSamples >= 5);  // a zero-width draw for all four masks of a sample is rare
    // Same seed, same masks; another seed, others.
    auto again = original.clone(), other = original.clone();
    training::applySpectrogramMasks(again, masks, 42);
    training::applySpectrogramMasks(other, masks, 43);
    QVERIFY(torch::equal(again, masked));
    QVERIFY(!torch::equal(other, masked));
  }

  void noMasksLeaveTheBatchAlone() {
    const auto original = torch::rand({2, 1, 257, 200});
    auto copy = original.clone();
    training::applySpectrogramMasks(copy, {0, 30, 0, 20}, 1);
    QVERIFY(torch::equal(copy, original));
  }
};
SOUNDSPOT_TEST(TestSpectrogramMasks)
#include "test_spectrogram_masks.moc"
