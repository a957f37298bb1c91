#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneSplits.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;
using namespace soundspot::data;

class TestScenePack : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip() {
    auto pack = test::sceneFixturePack();
    assignInstanceSplits(pack, 3);
    // Full-scale jumps wrap around in the delta encoding of recordings.
    const std::vector<int16_t> extremes = {32767, -32768, 32767, -32768, 0, -1, 1, -32768, -32768};
    pack.sounds[0].pcm.insert(pack.sounds[0].pcm.begin(), extremes.begin(), extremes.end());
    const auto dir = test::freshTempDir("sspack");
    writeAssetPack(pack, dir / "a.sspack");
    const auto back = readAssetPack(dir / "a.sspack");
    QCOMPARE(back.classes, pack.classes);
    QCOMPARE(back.images.size(), pack.images.size());
    for (size_t i = 0; i < pack.images.size(); ++i) {
      QCOMPARE(back.images[i].id, pack.images[i].id);
      QCOMPARE(back.images[i].classId, pack.images[i].classId);
      QCOMPARE(back.images[i].drawing, pack.images[i].drawing);
      QVERIFY(back.images[i].split == pack.images[i].split);
      QCOMPARE(back.images[i].rgba, pack.images[i].rgba);
    }
    QCOMPARE(back.sounds.size(), pack.sounds.size());
    for (size_t i = 0; i < pack.sounds.size(); ++i) {
      QCOMPARE(back.sounds[i].pcm, pack.sounds[i].pcm);
      QCOMPARE(back.sounds[i].heldOutFrom, pack.sounds[i].heldOutFrom);
      QVERIFY(back.sounds[i].split == pack.sounds[i].split);
    }
    for (size_t i = 0; i < pack.backgrounds.size(); ++i) {
      QCOMPARE(back.backgrounds[i].rgb, pack.backgrounds[i].rgb);
      QCOMPARE(back.backgrounds[i].test, pack.backgrounds[i].test);
    }
  }
  void damagedPacksAreRejected() {
    const auto dir = test::freshTempDir("sspack");
    writeAssetPack(test::sceneFixturePack(), dir / "a.sspack");
    auto bytes = readFile(dir / "a.sspack");
    writeFileAtomically(dir / "short.sspack", bytes.substr(0, bytes.size() - 100));
    QVERIFY_THROWS_EXCEPTION(Error, readAssetPack(dir / "short.sspack"));
    writeFileAtomically(dir / "junk.sspack", "not a pack at all, just text");
    QVERIFY_THROWS_EXCEPTION(Error, readAssetPack(dir / "junk.sspack"));
    QVERIFY_THROWS_EXCEPTION(Error, readAssetPack(dir / "missing.sspack"));
  }
};
SOUNDSPOT_TEST(TestScenePack)
#include "test_scene_pack.moc"
