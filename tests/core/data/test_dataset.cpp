#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/Dataset.h"
#include "tests/support/DatasetSamples.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <set>
#include <string>

using namespace soundspot;
using namespace soundspot::data;

namespace {

std::filesystem::path writeDataset(const std::string& json) {
  const auto dir = test::freshTempDir("dataset");
  writeFileAtomically(dir / "dataset.json", json);
  return dir;
}


// The message must name the clip and the field.
void expectError(const std::string& json, const std::string& clip, const std::string& field,
                 const LabelCheck& check = {}) {
  const auto dir = writeDataset(json);
  try {
    loadDataset(dir, check);
    QFAIL(("accepted malformed dataset: " + json).c_str());
  } catch (const Error& e) {
    const std::string msg = e.what();
    QVERIFY2(msg.find("dataset.json") != std::string::npos, msg.c_str());
    if (!clip.empty()) QVERIFY2(msg.find("'" + clip + "'") != std::string::npos, msg.c_str());
    QVERIFY2(msg.find(field) != std::string::npos, msg.c_str());
  }
}


}  // namespace

class TestDataset : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesEveryField() {
    const auto dir = writeDataset(test::kTinyDataset);
    const Dataset ds = loadDataset(dir);
    QCOMPARE(ds.name, std::string("tiny"));
    QCOMPARE(ds.clips.size(), size_t{4});
    const Clip& a = ds.clips[0];
    QCOMPARE(a.id, std::string("a"));
    QVERIFY(a.media.is_absolute());
    QCOMPARE(a.media, std::filesystem::absolute(dir / "clips" / "a.mp4").lexically_normal());
    QCOMPARE(a.labels, (std::vector<std::string>{"Violin, fiddle", "Dog"}));
    QCOMPARE(a.annotations.size(), size_t{2});
    QCOMPARE(a.annotations[0].time, 3.0);
    QCOMPARE(a.annotations[0].sounding.size(), size_t{1});
    QCOMPARE(a.annotations[0].sounding[0].box[2], 0.41);
    QCOMPARE(a.annotations[0].silent[0].label, std::string("Dog"));
    QVERIFY(a.annotations[1].sounding.empty());
    QVERIFY(ds.clips[3].split.empty());
    QCOMPARE(ds.clips[1].subset, std::string("test-unseen"));
  }
  void clipWithoutSplitBelongsToEverySplit() {
    const Dataset ds = loadDataset(writeDataset(test::kTinyDataset));
    auto ids = [](const std::vector<Clip>& cs) {
      std::set<std::string> s;
      for (auto& c : cs) s.insert(c.id);
      return s;
    };
    QCOMPARE(ids(ds.split("train")), (std::set<std::string>{"a", "c"}));
    QCOMPARE(ids(ds.split("test")), (std::set<std::string>{"b", "c", "d"}));
    QCOMPARE(ids(ds.split("test-seen")), (std::set<std::string>{"c", "d"}));
    QCOMPARE(ids(ds.split("test-unseen")), (std::set<std::string>{"b", "c"}));
    QCOMPARE(ids(ds.split("val")), (std::set<std::string>{"c"}));
    QCOMPARE(ids(ds.split("")), (std::set<std::string>{"a", "b", "c", "d"}));
  }
  void labelsCheckedAgainstOntology() {
    const LabelCheck known = [](const std::string& l) { return l == "Violin, fiddle" || l == "Dog"; };
    QCOMPARE(loadDataset(writeDataset(test::kTinyDataset), known).clips.size(), size_t{4});
    expectError(test::datasetWithClips(R"({"id": "x", "media": "x.mp4", "labels": ["Violin"]})"), "x", "labels[0]", known);
    expectError(test::datasetWithClips(R"({"id": "x", "media": "x.mp4", "annotations": [{"time": 1,
                "sounding": [{"label": "Cat", "box": [0,0,1,1]}]}]})"),
                "x", "annotations[0].sounding[0].label", known);
  }
  void malformedFilesNameClipAndField() {
    for (const auto& bad : test::kMalformedDatasets) expectError(bad.json, bad.clip, bad.field);
  }
  // fuzz_dataset's finding (tests/fuzz/regressions/fuzz_dataset): a number
  // too large for a double ("-1e308243") made the JSON parser throw an
  // exception that escaped as a library error instead of an Error.
  void numberOutOfRangeIsAnError() {
    const auto input = std::filesystem::path(SOUNDSPOT_SOURCE_DIR) / "tests/fuzz/regressions/fuzz_dataset/number-out-of-range.json";
    expectError(readFile(input), "", "not valid JSON");
    expectError(R"({"format": "soundspot-dataset/1", "clips": [{"id": "x", "media": "x.mp4", "annotations": [{"time": 1e999}]}]})",
                "", "not valid JSON");
  }
  void missingFileIsAnError() {
    const auto dir = test::freshTempDir("dataset-empty");
    QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir));
    QVERIFY_THROWS_EXCEPTION(Error, loadDataset(dir / "nope"));
  }
};
SOUNDSPOT_TEST(TestDataset)
#include "test_dataset.moc"
