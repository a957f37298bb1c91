// The index folder format (round trip, rejection of damaged files naming the
// file), brute-force search against a reference computed here, MEDIA@T
// parsing and source scanning. No media or model needed.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/IndexSource.h"
#include "core/retrieval/Query.h"
#include "core/retrieval/Search.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <random>

using namespace soundspot;
using namespace soundspot::retrieval;
namespace fs = std::filesystem;

namespace {

std::vector<float> randomRows(int64_t n, int64_t dim, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (auto& x : v) x = normal(rng);
  for (int64_t r = 0; r < n; ++r) {
    double s = 0;
    for (int64_t d = 0; d < dim; ++d) s += double(v[r * dim + d]) * v[r * dim + d];
    for (int64_t d = 0; d < dim; ++d) v[r * dim + d] = static_cast<float>(v[r * dim + d] / std::sqrt(s));
  }
  return v;
}

// clips with 3, 0, 5, ... entries (sizes cycle), labels on some.
Index randomIndex(int64_t clips, int64_t dim, unsigned seed) {
  std::mt19937 rng(seed);
  Index index;
  index.dim = dim;
  index.model = {{"dir", "/models/test"}, {"arch", "ave"}, {"weights_hash", "0123"}};
  index.sources = nlohmann::json::array({{{"path", "/data/x"}, {"kind", "dataset"}}});
  const int64_t sizes[] = {3, 0, 5, 1, 7};
  for (int64_t c = 0; c < clips; ++c) {
    const int64_t n = sizes[c % 5];
    std::vector<double> times;
    for (int64_t k = 0; k < n; ++k) times.push_back(k + 0.5);
    const auto im = randomRows(n, dim, rng), au = randomRows(n, dim, rng);
    IndexClip clip;
    clip.id = "clip-" + std::to_string(c) + (c == 1 ? " \xc3\xa9t\xc3\xa9 \"q\"" : "");
    clip.media = "/data/x/clips/" + std::to_string(c) + ".mp4";
    if (c % 2 == 0) clip.labels = {"Dog", "Violin, fiddle"};
    index.addClip(clip, times, im.data(), au.data());
  }
  return index;
}

void expectError(const std::function<void()>& f, const std::string& fileName, const std::string& word = {}) {
  try {
    f();
  } catch (const Error& e) {
    const std::string what = e.what();
    QVERIFY2(what.find(fileName) != std::string::npos, what.c_str());
    if (!word.empty()) QVERIFY2(what.find(word) != std::string::npos, what.c_str());
    return;
  }
  QFAIL(("no error for " + fileName).c_str());
}

}  // namespace

class TestIndexFormat : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip() {
    const Index a = randomIndex(7, 24, 1);
    const fs::path dir = test::freshTempDir("index-rt") / "idx";
    saveIndex(a, dir);
    QVERIFY(isIndexFolder(dir));
    const Index b = loadIndex(dir);
    QCOMPARE(b.dim, a.dim);
    QCOMPARE(b.size(), a.size());
    QCOMPARE(b.model, a.model);
    QCOMPARE(b.sources, a.sources);
    QCOMPARE(b.times, a.times);
    QCOMPARE(b.entryClip, a.entryClip);
    QVERIFY(b.image == a.image);  // bitwise: raw float32
    QVERIFY(b.audio == a.audio);
    QCOMPARE(b.clips.size(), a.clips.size());
    for (size_t c = 0; c < a.clips.size(); ++c) {
      QCOMPARE(b.clips[c].id, a.clips[c].id);
      QCOMPARE(b.clips[c].media, a.clips[c].media);
      QCOMPARE(b.clips[c].labels, a.clips[c].labels);
      QCOMPARE(b.clips[c].first, a.clips[c].first);
      QCOMPARE(b.clips[c].count, a.clips[c].count);
    }
    QCOMPARE(b.clipOf(4).id, a.clips[2].id);  // clip 0 has 3 entries, clip 1 none

    // Saving again replaces the index in place; a foreign folder is refused.
    const Index c = randomIndex(2, 24, 2);
    saveIndex(c, dir);
    QCOMPARE(loadIndex(dir).size(), c.size());
    const fs::path foreign = test::freshTempDir("index-foreign");
    writeFileAtomically(foreign / "notes.txt", "mine");
    expectError([&] { saveIndex(c, foreign); }, foreign.string(), "not a SoundSpot index");
    QVERIFY(fs::exists(foreign / "notes.txt"));
  }

  void corruptIndexRejected() {
    const Index a = randomIndex(6, 16, 3);
    const fs::path root = test::freshTempDir("index-bad");
    auto fresh = [&](const std::string& name) {
      const fs::path d = root / name;
      saveIndex(a, d);
      return d;
    };
    fs::path d = fresh("trunc-image");
    fs::resize_file(d / kImageFile, fs::file_size(d / kImageFile) - 7);
    expectError([&] { loadIndex(d); }, (d / kImageFile).string(), "truncated");

    d = fresh("flip-audio");
    test::flipByte(d / kAudioFile, 123);
    expectError([&] { loadIndex(d); }, (d / kAudioFile).string(), "damaged");

    d = fresh("flip-clips");
    test::flipByte(d / kClipsFile, 20);
    expectError([&] { loadIndex(d); }, (d / kClipsFile).string());

    d = fresh("trunc-clips");
    fs::resize_file(d / kClipsFile, fs::file_size(d / kClipsFile) / 2);
    expectError([&] { loadIndex(d); }, (d / kClipsFile).string(), "truncated");

    d = fresh("bad-json");
    writeFileAtomically(d / kIndexFile, "{\"format\": \"soundspot-index/1\", ");
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "JSON");

    d = fresh("wrong-count");
    nlohmann::json head = nlohmann::json::parse(readFile(d / kIndexFile));
    head["entries"] = head["entries"].get<int64_t>() + 1;
    writeFileAtomically(d / kIndexFile, head.dump());
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string());

    d = fresh("wrong-format");
    head = nlohmann::json::parse(readFile(d / kIndexFile));
    head["format"] = "soundspot-index/9";
    writeFileAtomically(d / kIndexFile, head.dump());
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "format");

    d = fresh("no-head");
    fs::remove(d / kIndexFile);
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "missing");

    d = fresh("no-audio");
    fs::remove(d / kAudioFile);
    expectError([&] { loadIndex(d); }, (d / kAudioFile).string());

    expectError([&] { loadIndex(root / "nope"); }, (root / "nope").string());
  }

  // fuzz_index's finding (tests/fuzz/regressions/fuzz_index, an index folder
  // in the fuzz target's layout: a mode byte, then index.json, clips.json,
  // image.f32 and audio.f32 joined by fuzz::kFileSeparator): "dim":
  // 49223372036854775807 is a float to JSON, and converting it to int64 was
  // undefined behaviour. Then what fixing it turned up: entries x dim that
  // wraps, and entries that only the matrix files' real sizes contradict
  // (loadIndex reserved memory for them before looking).
  void fuzzFindingsAreRejected() {
    const fs::path root = test::freshTempDir("index-fuzz");
    const std::string input = readFile(fs::path(SOUNDSPOT_SOURCE_DIR) / "tests/fuzz/regressions/fuzz_index/float-dim");
    const std::string separator = "\n#--SOUNDSPOT-FUZZ-FILE--#\n";  // fuzz::kFileSeparator
    fs::create_directories(root / "finding");
    size_t from = 1, k = 0;  // after the mode byte ('R': the files as they are)
    for (const char* name : {kIndexFile, kClipsFile, kImageFile, kAudioFile}) {
      const size_t at = k++ < 3 ? input.find(separator, from) : std::string::npos;
      writeFileAtomically(root / "finding" / name, input.substr(from, at == std::string::npos ? std::string::npos : at - from));
      from = at + separator.size();
    }
    expectError([&] { loadIndex(root / "finding"); }, (root / "finding" / kIndexFile).string(), "dim must be a whole number");

    const Index a = randomIndex(2, 4, 5);
    auto edited = [&](const std::string& name, const std::function<void(nlohmann::json&)>& edit) {
      const fs::path d = root / name;
      saveIndex(a, d);
      nlohmann::json head = nlohmann::json::parse(readFile(d / kIndexFile));
      edit(head);
      writeFileAtomically(d / kIndexFile, head.dump());
      return d;
    };
    fs::path d = edited("float-entries", [](nlohmann::json& h) { h["entries"] = 1e300; });
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "entries must be a whole number");
    d = edited("negative-bytes", [](nlohmann::json& h) { h["files"][kImageFile]["bytes"] = -1.5; });
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "files.image.f32");
    // 2^62 entries x dim 4 x 4 bytes wraps to 0 bytes.
    d = edited("wrapping", [](nlohmann::json& h) {
      h["entries"] = int64_t(1) << 62;
      h["files"][kImageFile]["bytes"] = 0;
      h["files"][kAudioFile]["bytes"] = 0;
    });
    expectError([&] { loadIndex(d); }, (d / kIndexFile).string(), "do not match entries x dim");
    // Consistent records of 10^10 entries, but small files: refused before any allocation.
    d = edited("huge-entries", [](nlohmann::json& h) {
      h["entries"] = int64_t(10000000000);
      h["files"][kImageFile]["bytes"] = int64_t(10000000000) * h["dim"].get<int64_t>() * 4;
      h["files"][kAudioFile]["bytes"] = int64_t(10000000000) * h["dim"].get<int64_t>() * 4;
    });
    expectError([&] { loadIndex(d); }, (d / kImageFile).string(), "truncated");
  }

  void searchMatchesBruteForce() {
    const Index index = randomIndex(100, 32, 4);  // 320 entries
    std::mt19937 rng(5);
    for (Modality side : {Modality::Image, Modality::Audio}) {
      const std::vector<float>& rows = index.embeddings(side);
      for (int trial = 0; trial < 5; ++trial) {
        std::vector<float> q = randomRows(1, index.dim, rng);
        for (auto& x : q) x *= 3.5f;  // search normalises the query
        std::vector<std::pair<double, int64_t>> ref;
        for (int64_t e = 0; e < index.size(); ++e) {
          double s = 0;
          for (int64_t d = 0; d < index.dim; ++d) s += double(q[d] / 3.5f) * rows[e * index.dim + d];
          ref.push_back({s, e});
        }
        std::stable_sort(ref.begin(), ref.end(), [](auto& x, auto& y) { return x.first > y.first; });
        for (int k : {1, 10, 30, 1000}) {
          const auto hits = search(index, q, side, k);
          QCOMPARE(static_cast<int64_t>(hits.size()), std::min<int64_t>(k, index.size()));
          for (size_t r = 0; r < hits.size(); ++r) {
            QVERIFY2(std::abs(hits[r].score - ref[r].first) < 1e-5, std::to_string(r).c_str());
            // Neighbouring reference scores this close could swap in float32.
            if (r + 1 < ref.size() && ref[r].first - ref[r + 1].first < 1e-5) continue;
            if (r > 0 && ref[r - 1].first - ref[r].first < 1e-5) continue;
            QCOMPARE(hits[r].entry, ref[r].second);
          }
        }
      }
    }
    // Self-query: a row finds itself first with score 1.
    const std::vector<float> self(index.audio.begin() + 17 * index.dim, index.audio.begin() + 18 * index.dim);
    const auto hits = search(index, self, Modality::Audio, 3);
    QCOMPARE(hits.front().entry, int64_t{17});
    QVERIFY(std::abs(hits.front().score - 1.f) < 1e-5);
    bool threw = false;
    try {
      search(index, std::vector<float>(5, 1.f), Modality::Image, 3);
    } catch (const UsageError&) {
      threw = true;
    }
    QVERIFY(threw);
    QVERIFY(search(Index{}, {}, Modality::Image, 3).empty());
  }

  void mediaTimeSpec() {
    MediaTime m = parseMediaTime("clip.mp4@12.5");
    QCOMPARE(m.media.string(), std::string("clip.mp4"));
    QCOMPARE(m.time, 12.5);
    QCOMPARE(parseMediaTime("a@b.mp4@1:02.5").time, 62.5);
    QCOMPARE(parseMediaTime("a@b.mp4@1:02.5").media.string(), std::string("a@b.mp4"));
    QCOMPARE(parseMediaTime("x.mkv@1:00:01").time, 3601.0);
    QCOMPARE(parseMediaTime("x.mkv@0").time, 0.0);
    for (const char* bad : {"clip.mp4", "clip.mp4@", "@3", "clip.mp4@abc", "clip.mp4@-1", "clip.mp4@1:75",
                            "clip.mp4@1e3", "clip.mp4@1.5:00", "clip.mp4@1:2:3:4", "clip.mp4@nan"}) {
      bool threw = false;
      try {
        parseMediaTime(bad);
      } catch (const UsageError& e) {
        threw = std::string(e.what()).find(bad) != std::string::npos;
      }
      QVERIFY2(threw, bad);
    }
  }

  void scanFolder() {
    const fs::path dir = test::freshTempDir("scan");
    for (const char* f : {"b.mp4", "a/z.MKV", "a/y.webm", "notes.txt", ".hidden/x.mp4", "out/skip.mp4", "c.json"}) {
      fs::create_directories((dir / f).parent_path());
      writeFileAtomically(dir / f, "x");
    }
    const IndexSource s = scanSource(dir, {}, {dir / "out"});
    QCOMPARE(s.kind, std::string("folder"));
    std::vector<std::string> ids;
    for (const auto& c : s.clips) ids.push_back(c.id);
    QCOMPARE(ids, (std::vector<std::string>{"a/y.webm", "a/z.MKV", "b.mp4"}));
    QVERIFY(s.clips[2].media.is_absolute());
    const IndexSource one = scanSource(dir / "b.mp4");
    QCOMPARE(one.kind, std::string("file"));
    QCOMPARE(one.clips.size(), size_t{1});
    expectError([&] { scanSource(dir / "missing"); }, (dir / "missing").string());
    QVERIFY(parseModality("audio") == Modality::Audio);
    QVERIFY(otherModality(Modality::Image) == Modality::Audio);
  }
};
SOUNDSPOT_TEST(TestIndexFormat)
#include "test_index.moc"
