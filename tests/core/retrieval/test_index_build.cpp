// Building an index from generated clips with a tiny random AVE-Net: one
// entry per second, undecodable media skipped and counted, entries equal to
// the query embeddings of the same frame / second, and a cancelled build
// resumed to the same index as an uninterrupted one.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/nn/Model.h"
#include "core/retrieval/Encoder.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/IndexBuilder.h"
#include "core/retrieval/Query.h"
#include "core/retrieval/Search.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "tests/support/MediaFixtures.h"
#endif

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

using namespace soundspot;
using namespace soundspot::retrieval;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path makeTinyModel(const std::string& tag, uint64_t seed) {
  const fs::path dir = test::freshTempDir(tag) / "ave-tiny";
  torch::manual_seed(seed);
  nn::Model m = nn::makeModel(nn::NetConfig{nn::Arch::Ave, 8, 128});
  nn::saveModel(m, dir);
  return dir;
}

Progress quietProgress(int64_t total, std::function<void(int64_t)> onDone = {}) {
  return Progress("test", total, [onDone](int64_t done, int64_t, double, const std::string&) {
    if (onDone && done >= 0) onDone(done);
  });
}

float maxAbsDiff(const float* a, const float* b, int64_t n) {
  float d = 0;
  for (int64_t i = 0; i < n; ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

void expectSameIndex(const Index& a, const Index& b) {
  QCOMPARE(a.size(), b.size());
  QCOMPARE(a.dim, b.dim);
  QCOMPARE(a.times, b.times);
  QCOMPARE(a.entryClip, b.entryClip);
  QCOMPARE(a.clips.size(), b.clips.size());
  for (size_t c = 0; c < a.clips.size(); ++c) {
    QCOMPARE(a.clips[c].id, b.clips[c].id);
    QCOMPARE(a.clips[c].media, b.clips[c].media);
    QCOMPARE(a.clips[c].labels, b.clips[c].labels);
  }
  QCOMPARE(a.sources, b.sources);
  QVERIFY(maxAbsDiff(a.image.data(), b.image.data(), static_cast<int64_t>(a.image.size())) <= 1e-6f);
  QVERIFY(maxAbsDiff(a.audio.data(), b.audio.data(), static_cast<int64_t>(a.audio.size())) <= 1e-6f);
}

}  // namespace

class TestIndexBuild : public QObject {
  Q_OBJECT
  fs::path dir_, model_, dataset_;

 private Q_SLOTS:
  void initTestCase() {
#ifndef SOUNDSPOT_HAS_FFMPEG
    QSKIP("building an index needs FFmpeg");
#else
    dir_ = test::freshTempDir("index-build");
    model_ = makeTinyModel("index-model", 7);
    // A dataset: 2.5 s (2 entries) and 3 s (3 entries) clips, a truncated
    // copy and a clip without sound (both skipped).
    dataset_ = dir_ / "data";
    fs::create_directories(dataset_ / "clips");
    test::makeIndexedClip(dataset_ / "clips/a.mp4", 2.5, 10, 64, 48, 48000, 500);
    test::makeIndexedClip(dataset_ / "clips/b.mp4", 3.0, 10, 80, 48, 48000, 3000);
    test::makeTruncatedCopy(dataset_ / "clips/b.mp4", dataset_ / "clips/broken.mp4", 0.3);
    test::makeNoAudioClip(dataset_ / "clips/mute.mp4", 2.0, 10, 64, 48);
    test::makeIndexedClip(dataset_ / "clips/c.mp4", 1.6, 10, 64, 48, 48000, 1200);
    const json clips = json::array({
        {{"id", "a"}, {"media", "clips/a.mp4"}, {"labels", {"Dog"}}},
        {{"id", "broken"}, {"media", "clips/broken.mp4"}},
        {{"id", "b"}, {"media", "clips/b.mp4"}, {"labels", {"Violin, fiddle", "Cat"}}},
        {{"id", "mute"}, {"media", "clips/mute.mp4"}},
        {{"id", "c"}, {"media", "clips/c.mp4"}, {"split", "test"}},
    });
    writeFileAtomically(dataset_ / "dataset.json", json{{"format", "soundspot-dataset/1"}, {"name", "tiny"}, {"clips", clips}}.dump(2));
#endif
  }

  void oneEntryPerSecond() {
    const fs::path out = dir_ / "idx-dataset";
    const IndexSource src = scanSource(dataset_);
    QCOMPARE(src.clips.size(), size_t{5});
    Progress progress = quietProgress(5);
    const BuildResult r = buildIndex(src, model_, out, progress, nullptr);
    QCOMPARE(r.entries, int64_t{6});
    QCOMPARE(r.clips, int64_t{3});
    QCOMPARE(r.skipped, int64_t{2});
    QCOMPARE(r.resumedClips, int64_t{0});
    QVERIFY(!fs::exists(partialBuildDir(out)));

    const Index index = loadIndex(out);
    QCOMPARE(index.size(), int64_t{6});
    QCOMPARE(index.dim, int64_t{128});
    QCOMPARE(index.times, (std::vector<double>{0.5, 1.5, 0.5, 1.5, 2.5, 0.5}));
    QCOMPARE(index.clips.size(), size_t{3});
    QCOMPARE(index.clips[0].id, std::string("a"));
    QCOMPARE(index.clips[1].id, std::string("b"));
    QCOMPARE(index.clips[1].labels, (std::vector<std::string>{"Violin, fiddle", "Cat"}));
    QCOMPARE(index.clips[1].first, int64_t{2});
    QCOMPARE(index.clips[2].count, int64_t{1});
    QVERIFY(fs::path(index.clips[0].media).is_absolute());
    QCOMPARE(index.sources[0]["skipped"].get<int>(), 2);
    QCOMPARE(index.sources[0]["kind"].get<std::string>(), std::string("dataset"));
    QCOMPARE(index.model["arch"].get<std::string>(), std::string("ave"));
    QCOMPARE(fs::path(index.model["dir"].get<std::string>()), fs::weakly_canonical(model_));
    for (const auto* m : {&index.image, &index.audio})
      for (int64_t e = 0; e < index.size(); ++e) {
        double s = 0;
        for (int64_t d = 0; d < index.dim; ++d) s += double((*m)[e * index.dim + d]) * (*m)[e * index.dim + d];
        QVERIFY(std::abs(s - 1) < 1e-4);
      }

    // The entries are exactly what the query builders give for the same
    // frame and second, so a query finds its own entry with score 1.
    Encoder encoder(model_);
    const std::vector<float> fq = frameQuery(encoder, dataset_ / "clips/b.mp4", 1.5);
    const std::vector<float> aq = audioQuery(encoder, dataset_ / "clips/b.mp4", 1.5);
    QVERIFY(maxAbsDiff(fq.data(), &index.image[3 * 128], 128) < 1e-5f);
    QVERIFY(maxAbsDiff(aq.data(), &index.audio[3 * 128], 128) < 1e-5f);
    const auto hits = search(index, aq, Modality::Audio, 6);
    QCOMPARE(hits.size(), size_t{6});
    QVERIFY(hits.front().score > 0.9999f);
    bool found = false;
    for (const auto& h : hits) found |= h.entry == 3 && h.score > 0.9999f;
    QVERIFY(found);

    // A split of the dataset: only the clips without a split and those in it.
    const IndexSource test = scanSource(dataset_, "test");
    QCOMPARE(test.clips.size(), size_t{5});  // none of the others has a split
  }

  void mediaFolder() {
    const fs::path media = dir_ / "media";
    fs::create_directories(media / "sub");
    fs::copy_file(dataset_ / "clips/a.mp4", media / "sub/x.mp4");
    fs::copy_file(dataset_ / "clips/c.mp4", media / "y.mp4");
    fs::copy_file(dataset_ / "clips/broken.mp4", media / "z.mp4");
    writeFileAtomically(media / "README.txt", "not media");
    const fs::path out = media / "index";  // inside the source: not indexed itself
    const IndexSource src = scanSource(media);
    Progress progress = quietProgress(static_cast<int64_t>(src.clips.size()));
    const BuildResult r = buildIndex(fs::path(media), model_, out, progress, nullptr);
    QCOMPARE(r.skipped, int64_t{1});
    const Index index = loadIndex(out);
    QCOMPARE(index.clips.size(), size_t{2});
    QCOMPARE(index.clips[0].id, std::string("sub/x.mp4"));
    QCOMPARE(index.clips[1].id, std::string("y.mp4"));
    QCOMPARE(index.times, (std::vector<double>{0.5, 1.5, 0.5}));
    QCOMPARE(index.sources[0]["kind"].get<std::string>(), std::string("folder"));

    // Rebuilding over the index replaces it; a foreign folder is refused.
    Progress again = quietProgress(3);
    QCOMPARE(buildIndex(fs::path(media), model_, out, again, nullptr).entries, int64_t{3});
    Progress refused = quietProgress(3);
    bool threw = false;
    try {
      buildIndex(fs::path(media), model_, media / "sub", refused, nullptr);
    } catch (const UsageError& e) {
      threw = std::string(e.what()).find("sub") != std::string::npos;
    }
    QVERIFY(threw);
  }

  void resumeAfterCancel() {
    const IndexSource src = scanSource(dataset_);
    const fs::path whole = dir_ / "idx-whole", resumed = dir_ / "idx-resumed";
    Progress p0 = quietProgress(5);
    buildIndex(src, model_, whole, p0, nullptr);

    // Cancelled once the first clip is done: the state stays in OUT.partial.
    CancelToken cancel;
    Progress p1 = quietProgress(5, [&](int64_t done) {
      if (done >= 1) cancel.cancel();
    });
    bool cancelled = false;
    try {
      buildIndex(src, model_, resumed, p1, &cancel);
    } catch (const Error& e) {
      cancelled = std::string(e.what()).find("resume") != std::string::npos;
    }
    QVERIFY(cancelled);
    QVERIFY(!isIndexFolder(resumed));
    QVERIFY(fs::is_directory(partialBuildDir(resumed)));
    bool loadFailed = false;
    try {
      loadIndex(resumed);
    } catch (const Error&) {
      loadFailed = true;
    }
    QVERIFY(loadFailed);

    // Cancel again after the third clip (the broken one was the second).
    cancel.reset();
    int64_t firstSeen = -1;
    Progress p2 = quietProgress(5, [&](int64_t done) {
      if (firstSeen < 0) firstSeen = done;
      if (done >= 3) cancel.cancel();
    });
    try {
      buildIndex(src, model_, resumed, p2, &cancel);
      QFAIL("not cancelled");
    } catch (const Error&) {
    }
    QCOMPARE(firstSeen, int64_t{1});

    cancel.reset();
    Progress p3 = quietProgress(5);
    const BuildResult r = buildIndex(src, model_, resumed, p3, &cancel);
    QCOMPARE(r.resumedClips, int64_t{3});
    QCOMPARE(r.skipped, int64_t{2});
    QVERIFY(!fs::exists(partialBuildDir(resumed)));
    expectSameIndex(loadIndex(whole), loadIndex(resumed));

    // A partial build made with another model is not resumed.
    const fs::path other = makeTinyModel("index-model-2", 8);
    const fs::path third = dir_ / "idx-third";
    cancel.reset();
    Progress p4 = quietProgress(5, [&](int64_t done) {
      if (done >= 1) cancel.cancel();
    });
    try {
      buildIndex(src, model_, third, p4, &cancel);
    } catch (const Error&) {
    }
    cancel.reset();
    Progress p5 = quietProgress(5);
    QCOMPARE(buildIndex(src, other, third, p5, &cancel).resumedClips, int64_t{0});
  }
};
SOUNDSPOT_TEST(TestIndexBuild)
#include "test_index_build.moc"
