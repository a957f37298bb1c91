#include "core/assets/AssetCollector.h"
#include "core/assets/SoundfontRenderer.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace soundspot;

namespace {
const std::filesystem::path kSource = SOUNDSPOT_SOURCE_DIR;

// Collects the assets that a small class file (JSON text) names.
data::AssetPack collectClassFile(const std::string& tempName, const std::string& classesJson, int maxBackgrounds) {
  const auto dir = test::freshTempDir(tempName);
  writeFileAtomically(dir / "classes.json", classesJson);
  assets::AssetSources sources;
  sources.classFile = dir / "classes.json";
  sources.maxBackgrounds = maxBackgrounds;
  return assets::collectAssets(sources, 0);
}

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
    // The default class file and the larger ones of the more-instances, animal-drawings and scratch-media runs.
    for (const char* path : {"resources/data/object-classes.json", "docs/runs/more-instances/object-classes.json",
                            "docs/runs/animal-drawings/object-classes.json", "docs/runs/scratch-media/object-classes.json"}) {
      const auto file = nlohmann::json::parse(readFile(kSource / path));
      QVERIFY(file.at("classes").size() >= 25);
      for (const auto& [label, items] : file.at("classes").items()) {
        QVERIFY2(names.count(label), label.c_str());
        QVERIFY(!items.empty());
      }
    }
  }
  void collectsRealCutoutsAndRecordings() {
    if (!std::filesystem::exists("/usr/share/qabcs/abcs/all/noises/violin.ogg"))
      QSKIP("qabcs-data is not installed");
    // A reduced class file keeps the test fast: a qabcs pair and a gcompris pair.
    const auto pack = collectClassFile("assets", R"({"classes": {
      "Violin, fiddle": [{"source": "qabcs", "kind": "pair", "item": "violin"},
                         {"source": "gcompris-instruments", "kind": "pair", "item": "violin"}],
      "Dog": [{"source": "qabcs", "kind": "pair", "item": "dog"}]}})", 3);
    QCOMPARE(pack.classes.size(), size_t(2));
    QCOMPARE(pack.images.size(), size_t(3));
    QCOMPARE(pack.sounds.size(), size_t(3));
    QCOMPARE(pack.backgrounds.size(), size_t(3));
    for (const auto& im : pack.images) {
      QVERIFY(std::max(im.width, im.height) <= assets::AssetSources{}.maxImageSide);
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
  void collectsTuxPaintStamps() {
    if (!std::filesystem::exists("/usr/share/tuxpaint/stamps/animals/mammals/dogs/dog.ogg"))
      QSKIP("tuxpaint-stamps-default is not installed");
    // A photo stamp with its sound effect, a cartoon stamp (a drawing), an SVG
    // stamp (a drawing), and a PNG marked as a drawing in the class file.
    const auto pack = collectClassFile("assets-tuxpaint", R"({"classes": {
      "Dog": [{"source": "tuxpaint", "kind": "pair", "item": "animals/mammals/dogs/dog"}],
      "Train": [{"source": "tuxpaint", "kind": "image", "item": "vehicles/locomotive/cartoon/toy_train"}],
      "Telephone": [{"source": "tuxpaint", "kind": "image", "item": "household/electronics/phone"}],
      "Clock": [{"source": "tuxpaint", "kind": "image", "item": "symbols/clockface", "drawing": true},
                {"source": "tuxpaint", "kind": "image", "item": "symbols/no-such-stamp"}]}})", 2);
    QCOMPARE(pack.images.size(), size_t(4));  // the missing stamp is skipped with a warning
    QCOMPARE(pack.sounds.size(), size_t(1));
    for (const auto& im : pack.images) QCOMPARE(im.drawing, im.id != "tuxpaint/animals/mammals/dogs/dog");
    QCOMPARE(pack.sounds[0].id, std::string("tuxpaint/animals/mammals/dogs/dog"));
    QVERIFY(pack.sounds[0].pcm.size() > 48000 * 8 / 10);  // the 0.93 s bark, not a spoken name
  }
  void collectsScratchMedia() {
    if (!std::filesystem::exists("/usr/share/scratch/Media/Sounds/Animal/Rooster.wav"))
      QSKIP("scratch is not installed");
    // A GIF photo (marked so in the class file; costumes default to drawings)
    // and a PNG drawing, two recordings (Rooster.wav has an odd-length data
    // chunk), and a missing file that is skipped with a warning.
    const auto pack = collectClassFile("assets-scratch", R"({"classes": {
      "Chicken, rooster": [{"source": "scratch", "kind": "sound", "item": "Sounds/Animal/Rooster.wav"}],
      "Cattle, bovinae": [{"source": "scratch", "kind": "image", "item": "Costumes/Animals/cow1.gif", "drawing": false}],
      "Dog": [{"source": "scratch", "kind": "image", "item": "Costumes/Animals/dog2-a.png"},
              {"source": "scratch", "kind": "sound", "item": "Sounds/Animal/Dog1.wav"},
              {"source": "scratch", "kind": "sound", "item": "Sounds/Animal/NoSuchDog.wav"}]}})", 2);
    QCOMPARE(pack.images.size(), size_t(2));
    QCOMPARE(pack.sounds.size(), size_t(2));
    for (const auto& im : pack.images) QCOMPARE(im.drawing, im.id != "scratch/Costumes/Animals/cow1.gif");
    QCOMPARE(pack.sounds[0].id, std::string("scratch/Sounds/Animal/Rooster.wav"));
    QVERIFY(pack.sounds[0].pcm.size() > 48000);  // the 1.55 s crow, trimmed of its silence
  }
  void rendersSoundfontPhrases() {
    const std::filesystem::path font = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    if (!std::filesystem::exists(font)) QSKIP("fluid-soundfont-gm is not installed");
    assets::SoundfontPhrase phrase;
    phrase.font = font;
    phrase.program = 40;  // violin
    phrase.notes = {67, 74};
    phrase.noteSeconds = 0.5;
    phrase.tailSeconds = 0.5;
    const auto x = assets::renderPhrase(phrase, 48000);
    QCOMPARE(x.size(), size_t(48000 * 1.5));
    // Each note sounds in its half second; the tail decays.
    auto rms = [&](double from, double to) {
      double e = 0;
      const size_t a = size_t(from * 48000), b = size_t(to * 48000);
      for (size_t i = a; i < b; ++i) e += double(x[i]) * x[i];
      return std::sqrt(e / double(b - a));
    };
    QVERIFY(rms(0.05, 0.4) > 1e-3);
    QVERIFY(rms(0.55, 0.9) > 1e-3);
    QVERIFY(rms(1.4, 1.5) < rms(0.55, 0.9));
    phrase.bank = 7, phrase.program = 127;  // no such preset
    try {
      assets::renderPhrase(phrase, 48000);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("FluidR3_GM.sf2") != std::string::npos);
    }
  }
  void projectClassFileGivesSeveralInstancesPerClass() {
    // The full project class file with every source the dependency script
    // installs: at least 25 classes get >= 3 independent images and recordings.
    if (!std::filesystem::exists("/usr/share/qabcs/abcs/all/noises/violin.ogg"))
      QSKIP("qabcs-data is not installed");
    assets::AssetSources sources;
    sources.classFile = kSource / "resources/data/object-classes.json";
    sources.maxBackgrounds = 2;
    const auto pack = assets::collectAssets(sources, 0);
    const auto counts = data::instancesPerClass(pack);
    QString thin;
    for (size_t c = 0; c < counts.size(); ++c)
      if (counts[c].images < 3 || counts[c].sounds < 3)
        thin += QString(" %1 (%2/%3)").arg(pack.classes[c].c_str()).arg(counts[c].images).arg(counts[c].sounds);
    qInfo("classes with fewer than 3 images or recordings:%s", qPrintable(thin));
    QVERIFY2(data::countDiverseClasses(pack) >= 25, qPrintable(thin));
    // No recording of a class is another one again (fonts that share samples).
    for (size_t i = 0; i < pack.sounds.size(); ++i)
      for (size_t j = i + 1; j < pack.sounds.size(); ++j) {
        const auto &a = pack.sounds[i].pcm, &b = pack.sounds[j].pcm;
        if (pack.sounds[i].classId != pack.sounds[j].classId) continue;
        const size_t n = std::min(a.size(), b.size());
        double ab = 0, aa = 0, bb = 0;
        for (size_t k = 0; k < n; ++k) ab += double(a[k]) * b[k], aa += double(a[k]) * a[k], bb += double(b[k]) * b[k];
        QVERIFY2(std::abs(ab) <= 0.5 * std::sqrt(aa * bb) + 1e-9,
                 qPrintable(QString("%1 ~ %2").arg(pack.sounds[i].id.c_str(), pack.sounds[j].id.c_str())));
      }
    // Every kind of source contributed (a missing package would silently thin the classes).
    for (const char* prefix : {"qabcs/", "gcompris-instruments/", "gcompris-farm/", "openclipart/", "lmms/",
                               "soundfont/", "openmoji/", "twemoji/"}) {
      const auto has = [&](const auto& items) {
        return std::any_of(items.begin(), items.end(), [&](const auto& it) { return it.id.rfind(prefix, 0) == 0; });
      };
      QVERIFY2(has(pack.images) || has(pack.sounds), prefix);
    }
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
