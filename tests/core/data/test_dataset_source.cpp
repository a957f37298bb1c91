#include "core/audio/Spectrogram.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/AvcSampler.h"
#include "core/data/ClipCache.h"
#include "core/data/DatasetSource.h"
#include "core/media/MediaReader.h"
#include "core/nn/Preprocess.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <torch/torch.h>

#include <cmath>

using namespace soundspot;
using namespace soundspot::data;

namespace {

struct FixtureClip {
  const char* id;
  double seconds, fps, toneHz;
};
// Different frame rates (so frame grids differ) and tones (so the audio's
// source can be told from its spectrum: bin = tone / 93.75 Hz).
const FixtureClip kClips[] = {{"a", 3.0, 25, 750}, {"b", 2.5, 10, 2250}, {"c", 3.0, 15, 4500}};

std::filesystem::path makeDataset(bool withBrokenClip) {
  const auto dir = test::freshTempDir("dataset-source");
  std::filesystem::create_directories(dir / "clips");
  nlohmann::json clips = nlohmann::json::array();
  for (const auto& c : kClips) {
    test::makeIndexedClip(dir / "clips" / (std::string(c.id) + ".mp4"), c.seconds, c.fps, 64, 48, 48000, c.toneHz);
    clips.push_back({{"id", c.id}, {"media", std::string("clips/") + c.id + ".mp4"}, {"split", "train"}});
  }
  if (withBrokenClip) {
    writeFileAtomically(dir / "clips" / "broken.mp4", "this is not a video");
    clips.push_back({{"id", "broken"}, {"media", "clips/broken.mp4"}});
  }
  clips.push_back({{"id", "other-split"}, {"media", "clips/a.mp4"}, {"split", "test"}});
  const nlohmann::json root = {{"format", "soundspot-dataset/1"}, {"clips", clips}};
  writeFileAtomically(dir / "dataset.json", root.dump(2));
  return dir;
}

int dominantBin(const torch::Tensor& spec /*1 x 257 x 200*/) {
  return static_cast<int>(spec[0].mean(1).argmax().item<int64_t>());
}

int toneBin(double hz) { return static_cast<int>(std::lround(hz / (48000.0 / audio::kFftSize))); }

SamplerOptions plain() {
  SamplerOptions o;
  o.augment = false;
  o.threads = 2;
  o.maxFramesPerClip = 12;
  return o;
}

}  // namespace

class TestDatasetSource : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void cacheKeepsFramesOnTheVideoGrid() {
    const auto dir = makeDataset(false);
    Clip clip;
    clip.id = "b";
    clip.media = dir / "clips" / "b.mp4";
    const CachedClip cc = ClipCache::decode(clip, 8);
    media::MediaReader reader(clip.media.string());
    const auto& grid = reader.frameTimestamps();
    QCOMPARE(cc.frames.size(), size_t{8});
    for (double t : cc.frameTimes)
      QVERIFY(std::any_of(grid.begin(), grid.end(), [&](double g) { return std::abs(g - t) < 1e-9; }));
    QVERIFY(std::abs(static_cast<double>(cc.audio.size()) - 2.5 * 48000) < 0.05 * 48000);
    for (const auto& f : cc.frames) QCOMPARE(f.size(), size_t{224 * 224 * 3});
  }
  void undecodableMediaIsSkippedNotFatal() {
    const auto dir = makeDataset(true);
    ClipCache cache(loadDataset(dir).split("train"), 4);
    cache.decodeAll(2);
    QCOMPARE(cache.size(), size_t{4});
    QCOMPARE(cache.failedCount(), size_t{1});
    QCOMPARE(cache.usable().size(), size_t{3});
    QVERIFY(!cache[3].ok);
    QVERIFY(cache[3].error.find("broken.mp4") != std::string::npos);
    // The source still opens on the three good clips.
    DatasetSource src(dir, "train", 1, plain());
    QCOMPARE(src.cache().size(), size_t{3});
  }
  void batchesFollowTheFrameGridAndPairing() {
    const auto dir = makeDataset(false);
    const uint64_t seed = 99;
    DatasetSource src(dir, "train", seed, plain());
    QCOMPARE(src.cache().size(), size_t{3});  // the test-split clip is excluded
    std::vector<std::vector<double>> grids;
    for (size_t c = 0; c < src.cache().size(); ++c)
      grids.push_back(media::MediaReader(src.cache().clip(c).media.string()).frameTimestamps());
    for (int64_t step = 0; step < 3; ++step) {
      const AvcBatch b = src.next(12, PairMode::Avc);
      QCOMPARE(b.images.sizes(), (torch::IntArrayRef{12, 3, 224, 224}));
      QCOMPARE(b.spectrograms.sizes(), (torch::IntArrayRef{12, 1, 257, 200}));
      QCOMPARE(b.corresponds.sum().item<float>(), 6.f);
      for (int64_t i = 0; i < 12; ++i) {
        const PairDraw d = src.sampler().draw(seed, step, i, false);
        QCOMPARE(b.corresponds[i].item<float>(), d.corresponds ? 1.f : 0.f);
        QCOMPARE(b.audioIdentity[i].item<int64_t>(), static_cast<int64_t>(d.audioClip));
        const auto& grid = grids[d.audioClip];
        QVERIFY2(std::any_of(grid.begin(), grid.end(), [&](double g) { return std::abs(g - d.audioCentre) < 1e-9; }),
                 "audio window not centred on a frame timestamp of its clip");
        if (!d.corresponds) QVERIFY(d.audioClip != d.frameClip);
        // The audio really is the source clip's: its tone dominates the spectrum.
        const std::string id = src.cache().clip(d.audioClip).id;
        const double tone = id == "a" ? 750 : id == "b" ? 2250 : 4500;
        QCOMPARE(dominantBin(b.spectrograms[i]), toneBin(tone));
        // The image is the drawn frame, resized like nn::imageTensor does.
        media::MediaReader reader(src.cache().clip(d.frameClip).media.string());
        const media::RgbFrame f = reader.frameAt(d.frameTime);
        const torch::Tensor ref = nn::imageTensor(f.rgb.data(), f.width, f.height)[0];
        QVERIFY2((b.images[i] - ref).abs().max().item<float>() < 0.05f, "image differs from the frame at its time");
      }
    }
  }
  void positivesOnlyMode() {
    DatasetSource src(makeDataset(false), "train", 3, plain());
    const AvcBatch b = src.next(6, PairMode::PositivesOnly);
    QCOMPARE(b.corresponds.sum().item<float>(), 6.f);
  }
  void deterministicAndSeekable() {
    const auto dir = makeDataset(false);
    SamplerOptions o = plain();
    o.augment = true;
    DatasetSource a(dir, "train", 5, o), b(dir, "train", 5, o), c(dir, "train", 6, o);
    std::vector<AvcBatch> first;
    for (int s = 0; s < 3; ++s) first.push_back(a.next(8, PairMode::Avc));
    for (int s = 0; s < 3; ++s) {
      const AvcBatch x = b.next(8, PairMode::Avc);
      QVERIFY(torch::equal(x.images, first[s].images));
      QVERIFY(torch::equal(x.spectrograms, first[s].spectrograms));
      QVERIFY(torch::equal(x.audioIdentity, first[s].audioIdentity));
    }
    QVERIFY(!torch::equal(c.next(8, PairMode::Avc).images, first[0].images));
    a.seek(1);
    QVERIFY(torch::equal(a.next(8, PairMode::Avc).images, first[1].images));
  }
  void augmentationChangesImagesNotPairs() {
    const auto dir = makeDataset(false);
    SamplerOptions on = plain();
    on.augment = true;
    DatasetSource x(dir, "train", 8, plain()), y(dir, "train", 8, on);
    const AvcBatch bx = x.next(8, PairMode::Avc), by = y.next(8, PairMode::Avc);
    QVERIFY(torch::equal(bx.audioIdentity, by.audioIdentity));
    QVERIFY(!torch::equal(bx.images, by.images));
    for (int64_t i = 0; i < 8; ++i) QCOMPARE(dominantBin(by.spectrograms[i]), dominantBin(bx.spectrograms[i]));
  }
  void tooFewClipsIsAnError() {
    const auto dir = makeDataset(false);
    QVERIFY_THROWS_EXCEPTION(Error, DatasetSource(dir, "test", 1, plain()));  // only one clip there
  }
};
SOUNDSPOT_TEST(TestDatasetSource)
#include "test_dataset_source.moc"
