#include "core/assets/AssetCollector.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <set>

using namespace soundspot;

namespace {
const std::filesystem::path kSource = SOUNDSPOT_SOURCE_DIR;

std::set<std::string> ontologyNames() {
  const auto j = nlohmann::json::parse(readFile(kSource / "resources/ontology/audioset-ontology.json"));
  std::set<std::string> names;
  for (const auto& e : j) names.insert(e.at("name").get<std::string>());
  return names;
}
}  // namespace

class TestAssetCollector : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void classFileUsesOntologyNames() {
    const auto names = ontologyNames();
    const auto file = nlohmann::json::parse(readFile(kSource / "resources/data/object-classes.json"));
    QVERIFY(file.at("classes").size() >= 25);
    for (const auto& [label, items] : file.at("classes").items()) {
      QVERIFY2(names.count(label), label.c_str());
      QVERIFY(!items.empty());
    }
  }
  void collectsRealCutoutsAndRecordings() {
    if (!std::filesystem::exists("/usr/share/qabcs/abcs/all/noises/violin.ogg"))
      QSKIP("qabcs-data is not installed");
    // A reduced class file keeps the test fast: a qabcs pair and a gcompris pair.
    const auto dir = test::freshTempDir("assets");
    writeFileAtomically(dir / "classes.json", R"({"classes": {
      "Violin, fiddle": [{"source": "qabcs", "kind": "pair", "item": "violin"},
                         {"source": "gcompris-instruments", "kind": "pair", "item": "violin"}],
      "Dog": [{"source": "qabcs", "kind": "pair", "item": "dog"}]}})");
    assets::AssetSources sources;
    sources.classFile = dir / "classes.json";
    sources.maxBackgrounds = 3;
    const auto pack = assets::collectAssets(sources, 0);
    QCOMPARE(pack.classes.size(), size_t(2));
    QCOMPARE(pack.images.size(), size_t(3));
    QCOMPARE(pack.sounds.size(), size_t(3));
    QCOMPARE(pack.backgrounds.size(), size_t(3));
    for (const auto& im : pack.images) {
      QVERIFY(std::max(im.width, im.height) <= sources.maxImageSide);
      // Cut-outs: opaque object pixels and a transparent surround.
      size_t opaque = 0, clear = 0;
      for (size_t i = 3; i < im.rgba.size(); i += 4) opaque += im.rgba[i] > 200, clear += im.rgba[i] < 20;
      QVERIFY(opaque > im.rgba.size() / 4 / 10);
      QVERIFY(clear > 0);
    }
    for (const auto& im : pack.images) QCOMPARE(im.drawing, im.id.rfind("gcompris", 0) == 0);  // SVGs are drawings
    for (const auto& s : pack.sounds) {
      QVERIFY(s.pcm.size() > 4800);
      int peak = 0;
      for (auto v : s.pcm) peak = std::max(peak, std::abs(int(v)));
      QVERIFY(peak > 25000);  // peak-normalised to 0.9
    }
    // The violin has two images and two recordings: one of each is held out.
    int unseen = 0;
    for (const auto& im : pack.images) unseen += im.split == data::InstanceSplit::Unseen;
    QCOMPARE(unseen, 1);
  }
  void missingClassFileNamesIt() {
    assets::AssetSources sources;
    sources.classFile = "/nonexistent/classes.json";
    try {
      assets::collectAssets(sources, 0);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("/nonexistent/classes.json") != std::string::npos);
    }
  }
};
SOUNDSPOT_TEST(TestAssetCollector)
#include "test_asset_collector.moc"
