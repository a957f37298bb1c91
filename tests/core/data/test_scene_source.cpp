#include "core/audio/TorchSpectrogram.h"
#include "core/common/Error.h"
#include "core/data/PrefetchingSource.h"
#include "core/data/SceneSource.h"
#include "core/data/SceneSplits.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "core/data/SceneComposer.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;
using namespace soundspot::data;

class TestSceneSource : public QObject {
  Q_OBJECT
  std::filesystem::path pack_;

 private Q_SLOTS:
  void initTestCase() {
    auto pack = test::sceneFixturePack();
    assignInstanceSplits(pack, 0);
    pack_ = test::freshTempDir("scene-source") / "fixture.sspack";
    writeAssetPack(pack, pack_);
  }
  void batchesHaveTheTrainerShapes() {
    auto source = openSceneSource(pack_, "train", "cpu", 5);
    const auto b = source->next(6, PairMode::Avc);
    QCOMPARE(b.images.sizes().vec(), (std::vector<int64_t>{6, 3, 224, 224}));
    QCOMPARE(b.spectrograms.sizes().vec(), (std::vector<int64_t>{6, 1, 257, 200}));
    QCOMPARE(b.corresponds.sum().item<float>(), 3.f);
    QCOMPARE(b.audioIdentity.scalar_type(), torch::kInt64);
    QVERIFY(source->epochSize() > 0);
    // Images are normalised (ImageNet statistics), not raw 0..255.
    QVERIFY(b.images.abs().max().item<float>() < 3.f);
  }
  void soundingBoxesOnlyForPositivesWithAVisibleSource() {
    auto source = openSceneSource(pack_, "val", "cpu", 4);
    const auto b = source->next(16, PairMode::Avc);
    QCOMPARE(b.soundingBoxes.sizes().vec(), (std::vector<int64_t>{16, 4}));
    int boxes = 0;
    for (int i = 0; i < 16; ++i) {
      const auto box = b.soundingBoxes[i];
      if (b.corresponds[i].item<float>() < 0.5f) {
        QCOMPARE(box[0].item<float>(), -1.f);  // a negative's sound is not in the frame
        continue;
      }
      if (box[0].item<float>() < 0) continue;  // off-screen or noisy second
      ++boxes;
      QVERIFY(box[2].item<float>() > box[0].item<float>() && box[3].item<float>() > box[1].item<float>());
      QVERIFY(box.min().item<float>() >= 0.f && box.max().item<float>() <= 1.f);
    }
    QVERIFY(boxes > 0);
  }
  void prefetchingGivesTheSameBatchesAndSeeks() {
    auto plain = openSceneSource(pack_, "train", "cpu", 11);
    auto ahead = prefetching(openSceneSource(pack_, "train", "cpu", 11), 2);
    for (int i = 0; i < 3; ++i) {
      const auto a = plain->next(4, PairMode::PositivesOnly), b = ahead->next(4, PairMode::PositivesOnly);
      QVERIFY(torch::equal(a.images, b.images));
      QVERIFY(torch::equal(a.spectrograms, b.spectrograms));
      QVERIFY(torch::equal(a.soundingBoxes, b.soundingBoxes));
    }
    // A new batch shape and a seek both restart the producer at the right batch.
    QVERIFY(torch::equal(plain->next(6, PairMode::Avc).images, ahead->next(6, PairMode::Avc).images));
    plain->seek(1);
    ahead->seek(1);
    QVERIFY(torch::equal(plain->next(4, PairMode::PositivesOnly).spectrograms, ahead->next(4, PairMode::PositivesOnly).spectrograms));
  }
  void severalProducersKeepTheOrder() {
    // Three producers finish batches out of order; they must come out in order.
    auto plain = openSceneSource(pack_, "train", "cpu", 12);
    const auto pack = pack_;
    auto ahead = prefetching([pack] { return openSceneSource(pack, "train", "cpu", 12); }, 3);
    for (int i = 0; i < 7; ++i) {
      const auto a = plain->next(3, PairMode::PositivesOnly), b = ahead->next(3, PairMode::PositivesOnly);
      QVERIFY2(torch::equal(a.images, b.images), qPrintable(QString("batch %1").arg(i)));
      QVERIFY(torch::equal(a.spectrograms, b.spectrograms));
      QVERIFY(torch::equal(a.audioIdentity, b.audioIdentity));
    }
    plain->seek(2);
    ahead->seek(2);
    QVERIFY(torch::equal(plain->next(3, PairMode::PositivesOnly).images, ahead->next(3, PairMode::PositivesOnly).images));
    QCOMPARE(dataWorkers(0, "cpu"), 1);
    QVERIFY(dataWorkers(0, "cuda") >= 1);
    QCOMPARE(dataWorkers(3, "cpu"), 3);
  }
  void seekResumesExactly() {
    auto a = openSceneSource(pack_, "test-unseen", "cpu", 9);
    a->next(4, PairMode::PositivesOnly);
    const auto second = a->next(4, PairMode::PositivesOnly);
    auto b = openSceneSource(pack_, "test-unseen", "cpu", 9);
    b->seek(1);
    const auto again = b->next(4, PairMode::PositivesOnly);
    QVERIFY(torch::equal(second.images, again.images));
    QVERIFY(torch::equal(second.spectrograms, again.spectrograms));
    QVERIFY(torch::equal(second.audioIdentity, again.audioIdentity));
  }
  void positivesHearAToneOfTheirIdentity() {
    // audioIdentity names the recording: its tone must dominate the spectrogram.
    auto source = openSceneSource(pack_, "train", "cpu", 3);
    const auto b = source->next(8, PairMode::PositivesOnly);
    const auto pack = readAssetPack(pack_);
    int checked = 0;
    for (int i = 0; i < 8; ++i) {
      const int64_t id = b.audioIdentity[i].item<int64_t>();
      if (id >= int64_t(pack.sounds.size())) continue;
      const double tone = test::kSceneFixtureTones[pack.sounds[id].classId];
      const auto energy = b.spectrograms[i][0].mean(1);  // per frequency bin
      const int64_t peak = energy.argmax().item<int64_t>();
      const double binHz = 48000.0 / 512;
      // Training scenes play recordings 0.8-1.2x fast, and the pitch follows.
      const data::SceneRules rules;
      QVERIFY2(peak * binHz >= tone * rules.minPlaybackRate - binHz * 1.5 &&
                   peak * binHz <= tone * rules.maxPlaybackRate + binHz * 1.5,
               qPrintable(QString("%1 Hz for a %2 Hz tone").arg(peak * binHz).arg(tone)));
      ++checked;
    }
    QVERIFY(checked >= 4);
  }
  void badArgumentsAreRejected() {
    QVERIFY_THROWS_EXCEPTION(UsageError, openSceneSource(pack_, "test", "cpu", 1));
    QVERIFY_THROWS_EXCEPTION(Error, openSceneSource(pack_.parent_path() / "missing.sspack", "train", "cpu", 1));
  }
};
SOUNDSPOT_TEST(TestSceneSource)
#include "test_scene_source.moc"
