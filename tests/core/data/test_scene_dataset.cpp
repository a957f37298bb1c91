#include "core/common/AtomicFile.h"
#include "core/data/Dataset.h"
#include "core/data/SceneDataset.h"
#include "core/data/SceneSplits.h"
#include "core/media/MediaReader.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <set>

using namespace soundspot;
using namespace soundspot::data;

namespace {

// The contract of shared/specs/dataset-format.md, checked field by field.
QString contractProblem(const nlohmann::json& d, const std::set<std::string>& ontology, const std::filesystem::path& dir) {
  if (d.value("format", "") != "soundspot-dataset/1") return "format";
  if (!d.contains("clips") || !d["clips"].is_array()) return "clips";
  std::set<std::string> ids;
  for (const auto& c : d["clips"]) {
    if (!c.contains("id") || !c["id"].is_string() || !ids.insert(c["id"].get<std::string>()).second) return "id";
    if (!c.contains("media") || !std::filesystem::exists(dir / c["media"].get<std::string>())) return "media";
    const std::string split = c.value("split", "");
    if (split != "train" && split != "val" && split != "test") return "split";
    for (const auto& l : c.at("labels"))
      if (!ontology.count(l.get<std::string>())) return "label " + QString::fromStdString(l.get<std::string>());
    for (const auto& a : c.at("annotations")) {
      if (!a.at("time").is_number()) return "time";
      for (const char* key : {"sounding", "silent"})
        for (const auto& o : a.at(key)) {
          if (!ontology.count(o.at("label").get<std::string>())) return "box label";
          const auto b = o.at("box").get<std::vector<double>>();
          if (b.size() != 4 || b[0] < 0 || b[1] < 0 || b[2] > 1 || b[3] > 1 || b[0] >= b[2] || b[1] >= b[3]) return "box";
        }
    }
  }
  return {};
}

std::set<std::string> ontologyNames() {
  const auto j = nlohmann::json::parse(readFile(std::filesystem::path(SOUNDSPOT_SOURCE_DIR) / "resources/ontology/audioset-ontology.json"));
  std::set<std::string> names;
  for (const auto& e : j) names.insert(e.at("name").get<std::string>());
  return names;
}

}  // namespace

class TestSceneDataset : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void writesAValidDatasetWithTrueBoxesAndSounds() {
    auto pack = test::sceneFixturePack();
    assignInstanceSplits(pack, 0);
    SceneDatasetOptions options;
    options.count = 4;
    options.seed = 11;
    options.rules.duration = 3;
    // Objects keep their colour and tone, which is how this test finds them.
    options.rules.greyscaleRate = 0, options.rules.colourJitter = 0;
    options.rules.minPlaybackRate = options.rules.maxPlaybackRate = 1;
    options.width = 160, options.height = 120;
    options.splitPlan = parseSplitPlan("train=1,test-unseen=1");
    const auto dir = test::freshTempDir("scenes");
    Progress progress("scenes", options.count);
    writeSceneDataset(pack, options, dir, progress, nullptr);

    const auto d = nlohmann::json::parse(readFile(dir / "dataset.json"));
    const auto names = ontologyNames();
    QCOMPARE(contractProblem(d, names, dir), QString());
    QCOMPARE(d["clips"].size(), size_t(4));
    // The project's own reader accepts it with the ontology label check.
    const auto loaded = loadDataset(dir, [&](const std::string& l) { return names.count(l) > 0; });
    QCOMPARE(loaded.clips.size(), size_t(4));
    QCOMPARE(d["clips"][3]["subset"].get<std::string>(), std::string("test-unseen"));

    int soundingChecked = 0;
    for (const auto& c : d["clips"]) {
      media::MediaReader reader((dir / c["media"].get<std::string>()).string());
      QVERIFY(std::abs(reader.info().duration - 3.0) < 0.15);
      QCOMPARE(reader.info().width, 160);
      QCOMPARE(int(c["annotations"].size()), 3);
      for (const auto& a : c["annotations"]) {
        const double t = a["time"];
        // The heard tone of the 1 s centred on t names the sounding object's class.
        const auto audio = reader.audio(t - 0.45, 0.9);
        const int heard = test::dominantToneClass(audio.data(), audio.size());
        const auto frame = reader.frameAt(t);
        for (const auto& o : a["sounding"]) {
          const std::string label = o["label"];
          int cls = -1;
          for (int k = 0; k < 4; ++k)
            if (label == test::kSceneFixtureClasses[k]) cls = k;
          QCOMPARE(heard, cls);
          // Pixels at the box centre show the object's colour (decoded, lossy).
          const auto b = o["box"].get<std::vector<double>>();
          const int cx = int((b[0] + b[2]) / 2 * frame.width), cy = int((b[1] + b[3]) / 2 * frame.height);
          const uint8_t* p = &frame.rgb[(size_t(cy) * frame.width + cx) * 3];
          const uint8_t* want = test::kSceneFixtureColours[cls];
          QVERIFY2(std::abs(p[0] - want[0]) + std::abs(p[1] - want[1]) + std::abs(p[2] - want[2]) < 90,
                   qPrintable(QString("centre %1,%2,%3").arg(p[0]).arg(p[1]).arg(p[2])));
          ++soundingChecked;
        }
      }
    }
    QVERIFY(soundingChecked >= 4);
  }
  void sameSeedSameDatasetJson() {
    auto pack = test::sceneFixturePack();
    assignInstanceSplits(pack, 0);
    SceneDatasetOptions options;
    options.count = 2;
    options.rules.duration = 2;
    options.width = 96, options.height = 72;
    const auto a = test::freshTempDir("scenes-a"), b = test::freshTempDir("scenes-b");
    Progress pa("a", 2), pb("b", 2);
    writeSceneDataset(pack, options, a, pa, nullptr);
    writeSceneDataset(pack, options, b, pb, nullptr);
    QCOMPARE(readFile(a / "dataset.json"), readFile(b / "dataset.json"));
  }
};
SOUNDSPOT_TEST(TestSceneDataset)
#include "test_scene_dataset.moc"
