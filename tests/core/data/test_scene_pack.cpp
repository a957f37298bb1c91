#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneSplits.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>

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
  // A pack with more instances keeps the held-out instances and test
  // backgrounds of the pack a benchmark was made from; what it adds trains.
  void addedInstancesKeepTheReferenceSplits() {
    auto reference = test::sceneFixturePack();
    assignInstanceSplits(reference, 3);
    auto bigger = test::sceneFixturePack();
    std::reverse(bigger.images.begin(), bigger.images.end());  // order must not matter
    auto extraImage = bigger.images.front();
    extraImage.id = "new/image";
    extraImage.rgba[3] ^= 1;  // another picture
    bigger.images.push_back(extraImage);
    auto extraSound = bigger.sounds.front();
    extraSound.id = "new/sound";
    extraSound.pcm[0] ^= 1;  // another recording
    bigger.sounds.push_back(extraSound);
    // The same picture under another name (another class file's id) is matched by content.
    bigger.images[0].id = "renamed/" + bigger.images[0].id;
    assignInstanceSplits(bigger, 11);  // a different choice, to be overridden
    const auto adopted = adoptInstanceSplits(bigger, reference);
    QCOMPARE(adopted.newInstances, 2);
    QCOMPARE(adopted.heldOutMissing, 0);
    int heldOut = 0;
    for (const auto& im : bigger.images) {
      if (im.id == "new/image") {
        QVERIFY(im.split == InstanceSplit::Train);
        continue;
      }
      const auto id = im.id.rfind("renamed/", 0) == 0 ? im.id.substr(8) : im.id;
      const auto& ref = *std::find_if(reference.images.begin(), reference.images.end(), [&](const auto& r) { return r.id == id; });
      QVERIFY2(im.split == ref.split, im.id.c_str());
      heldOut += im.split == InstanceSplit::Unseen;
    }
    for (const auto& s : bigger.sounds) {
      if (s.id == "new/sound") {
        QVERIFY(s.split == InstanceSplit::Train);
        QCOMPARE(s.heldOutFrom, int64_t(s.pcm.size()) * 3 / 4);  // 5 s: its tail serves test-seen
        continue;
      }
      const auto& ref = *std::find_if(reference.sounds.begin(), reference.sounds.end(), [&](const auto& r) { return r.id == s.id; });
      QVERIFY2(s.split == ref.split, s.id.c_str());
      QCOMPARE(s.heldOutFrom, ref.heldOutFrom);
      heldOut += s.split == InstanceSplit::Unseen;
    }
    QCOMPARE(heldOut, adopted.heldOutFound);
    QVERIFY(heldOut > 0);
    for (size_t i = 0; i < bigger.backgrounds.size(); ++i) QCOMPARE(bigger.backgrounds[i].test, reference.backgrounds[i].test);
    // A held-out instance the new pack lacks is counted, not invented.
    auto smaller = test::sceneFixturePack();
    smaller.images.erase(std::remove_if(smaller.images.begin(), smaller.images.end(),
                                        [&](const auto& im) {
                                          for (const auto& r : reference.images)
                                            if (r.id == im.id && r.split == InstanceSplit::Unseen) return true;
                                          return false;
                                        }),
                         smaller.images.end());
    QVERIFY(adoptInstanceSplits(smaller, reference).heldOutMissing > 0);
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
  // fuzz_asset_pack's findings (tests/fuzz/regressions/fuzz_asset_pack) and
  // what fixing the first turned up: each used to throw std::length_error, read
  // outside the payload, allocate without bound or convert a float to int
  // (undefined behaviour) instead of throwing an Error naming the file.
  void fuzzFindingsAreRejected() {
    const auto dir = test::freshTempDir("sspack-fuzz");
    auto expectError = [](const std::filesystem::path& file, const std::string& word) {
      try {
        readAssetPack(file);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(file.string()) != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find(word) != std::string::npos, e.what());
        return;
      }
      QFAIL(("accepted " + file.string()).c_str());
    };
    // A raw payload length of 1.8e19 bytes behind 138 compressed bytes.
    const std::filesystem::path regressions = std::filesystem::path(SOUNDSPOT_SOURCE_DIR) / "tests/fuzz/regressions/fuzz_asset_pack";
    expectError(regressions / "huge-payload-length.sspack", "cannot come from 138 compressed bytes");
    // "compression": -1e+308 (json's type_error escaped from header.value()).
    expectError(regressions / "compression-not-a-string.sspack", "'compression' is not a string");
    // Uncompressed packs with one 2x2 image, its header edited.
    const nlohmann::json good = {{"id", "a"}, {"class", 0}, {"drawing", false}, {"split", "train"},
                                 {"width", 2}, {"height", 2}, {"data", {{"offset", 0}, {"bytes", 16}}}};
    int n = 0;
    auto pack = [&](const std::string& headerText, uint64_t headerBytes) {
      std::string file("SSPACK1\n", 8);
      const uint64_t payloadBytes = 16;
      file.append(reinterpret_cast<const char*>(&headerBytes), 8);
      file += headerText;
      file.append(reinterpret_cast<const char*>(&payloadBytes), 8);
      file += std::string(16, '\x7f');
      const auto path = dir / ("p" + std::to_string(n++) + ".sspack");
      writeFileAtomically(path, file);
      return path;
    };
    auto withImage = [&](const std::function<void(nlohmann::json&)>& edit) {
      nlohmann::json image = good;
      edit(image);
      const nlohmann::json header = {{"format", "soundspot-asset-pack/1"}, {"sampleRate", kPackSampleRate},
                                     {"classes", {"Dog"}}, {"compression", "none"}, {"soundEncoding", "pcm16"},
                                     {"images", {image}}, {"sounds", nlohmann::json::array()},
                                     {"backgrounds", nlohmann::json::array()}};
      const std::string text = header.dump();
      return pack(text, text.size());
    };
    QCOMPARE(readAssetPack(withImage([](nlohmann::json&) {})).images.at(0).rgba, std::vector<uint8_t>(16, 0x7f));
    expectError(withImage([](nlohmann::json& j) { j["data"]["offset"] = 18446744073709551608ull; }), "'offset'");  // offset + bytes wrapped
    expectError(withImage([](nlohmann::json& j) { j["width"] = -2; }), "'width'");
    expectError(withImage([](nlohmann::json& j) { j["width"] = 65536, j["height"] = 65536; }), "out of range");
    expectError(withImage([](nlohmann::json& j) { j["class"] = 1e30; }), "'class'");
    expectError(pack("[1]", 3), "not a JSON object");
    expectError(pack("{}", 18446744073709551606ull), "truncated");  // 16 + length + 8 wrapped to 14
  }
};
SOUNDSPOT_TEST(TestScenePack)
#include "test_scene_pack.moc"
