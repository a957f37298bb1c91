// `soundspot-cli train --data DIR` on a plain folder of videos (no
// dataset.json), as a user with their own recordings would run it: bad files
// are skipped and listed, the split is written next to the model, a second
// run reads the clip cache, and --init fine-tunes from a model folder.
#include "core/common/AtomicFile.h"
#include "core/common/Paths.h"
#include "core/data/MediaFolder.h"
#include "core/nn/Model.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"
#include "tests/support/ToneVideoFixtures.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <set>

using namespace soundspot;
using nlohmann::json;

namespace {

QString qs(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

// Six good tone-shape videos, one without audio, one of 0.6 s, one truncated
// and a text file.
std::filesystem::path makeFolder() {
  const auto dir = test::freshTempDir("train-folder") / "my videos";
  test::writeSmallToneVideos(dir / "good", 6);
  std::filesystem::create_directories(dir / "bad");
  test::makeNoAudioClip(dir / "bad" / "silent.mp4", 2.0, 10, 64, 48);
  test::makeIndexedClip(dir / "bad" / "short.mp4", 0.6, 10, 64, 48);
  test::makeTruncatedCopy(dir / "good" / "tone-shapes-000.mp4", dir / "bad" / "corrupt.mp4", 0.3);
  writeFileAtomically(dir / "notes.txt", "not a video\n");
  return dir;
}

// With info logging: the skipped files and cache hits are info/warning lines.
test::ProcessResult train(const QStringList& extra) {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("SOUNDSPOT_LOG", "info");
  test::ProcessResult r = test::runProgram(
      QStringLiteral(SOUNDSPOT_CLI_PATH),
      QStringList{"train", "--arch", "avol", "--width", "4", "--batch", "4", "--device", "cpu"} + extra, 600000, env);
  if (r.crashed) r.exitCode = -1;
  return r;
}

json readJson(const std::filesystem::path& p) { return json::parse(readFile(p)); }

}  // namespace

class TestCliTrainFolder : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void trainsOnAPlainFolderAndListsTheSplit() {
    const auto dir = makeFolder();
    // The split is by path: at least two good clips must land in train for this fixture.
    int goodTrain = 0;
    for (int i = 0; i < 6; ++i) goodTrain += data::splitForPath("good/tone-shapes-00" + std::to_string(i) + ".mp4") == "train";
    QVERIFY(goodTrain >= 2);
    const auto out = test::freshTempDir("train-folder-out") / "model";
    const auto cache = test::freshTempDir("train-folder-cache");
    test::ProcessResult r = train({"--data", qs(dir), "--steps", "3", "--out", qs(out), "--cache", qs(cache)});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    // One line per skipped file, naming it.
    for (const char* name : {"silent.mp4", "short.mp4", "corrupt.mp4"}) QVERIFY2(r.err.find(name) != std::string::npos, name);
    QVERIFY(r.err.find("skipped") != std::string::npos);

    const json split = readJson(out / "split.json");
    QCOMPARE(split["kind"].get<std::string>(), std::string("folder"));
    std::set<std::string> skipped;
    for (const auto& s : split["skipped"]) {
      skipped.insert(s["file"].get<std::string>());
      QVERIFY(!s["reason"].get<std::string>().empty());
    }
    QCOMPARE(skipped, (std::set<std::string>{"bad/silent.mp4", "bad/short.mp4", "bad/corrupt.mp4"}));
    for (const auto& part : {"train", "val"})
      for (const auto& id : split[part]) {
        QVERIFY(id.get<std::string>().rfind("good/", 0) == 0);
        QCOMPARE(data::splitForPath(id.get<std::string>()), std::string(part));
      }
    QCOMPARE(split["train"].size(), size_t(goodTrain));

    const json card = readJson(out / "card.json");
    const json& fp = card["recipe"]["data_fingerprint"];
    QCOMPARE(fp["files"].get<int>(), 9);  // media files listed; notes.txt is not one
    QVERIFY(fp["usable"].get<int>() >= goodTrain);
    QVERIFY(fp["seconds"].get<double>() >= 2.0 * goodTrain - 0.5);
    QCOMPARE(fp["file_list_hash"].get<std::string>(), split["file_list_hash"].get<std::string>());

    // Second run: every good clip comes from the cache.
    r = train({"--data", qs(dir), "--steps", "1", "--out", qs(out.parent_path() / "again"), "--cache", qs(cache)});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QVERIFY2(r.err.find("read from the clip cache") != std::string::npos, r.err.c_str());
  }

  void fineTuneFromAModelFolder() {
    const auto dir = makeFolder();
    const auto base = test::freshTempDir("train-folder-base") / "base";
    test::ProcessResult r = train({"--data", qs(dir), "--steps", "2", "--out", qs(base), "--no-cache"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto tuned = base.parent_path() / "tuned";
    r = train({"--data", qs(dir), "--steps", "3", "--out", qs(tuned), "--no-cache", "--init", qs(base), "--freeze", "audio"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const json recipe = readJson(tuned / "card.json")["recipe"];
    QCOMPARE(recipe["base_model"]["path"].get<std::string>(), std::filesystem::absolute(base).lexically_normal().string());
    QCOMPARE(recipe["freeze"].get<std::string>(), std::string("audio"));
    QCOMPARE(recipe["lr"].get<double>(), 1e-5);  // fine-tuning's gentler default

    const nn::Model a = nn::loadModel(base, "cpu"), b = nn::loadModel(tuned, "cpu");
    auto pa = a.module()->named_parameters(true);
    int changed = 0, frozenSame = 0, frozen = 0;
    for (const auto& p : b.module()->named_parameters(true)) {
      const bool same = torch::equal(p.value(), pa[p.key()]);
      if (p.key().rfind("audio.", 0) == 0) {
        ++frozen;
        frozenSame += same;
      } else {
        changed += !same;
      }
    }
    QVERIFY(frozen > 0);
    QCOMPARE(frozenSame, frozen);
    QVERIFY(changed > 0);
    // The frozen tower's BatchNorm statistics stay those of the base.
    auto ba = a.module()->named_buffers(true);
    for (const auto& buf : b.module()->named_buffers(true))
      if (buf.key().rfind("audio.", 0) == 0 && buf.value().is_floating_point()) QVERIFY(torch::equal(buf.value(), ba[buf.key()]));

    r = train({"--data", qs(dir), "--steps", "1", "--out", qs(tuned.parent_path() / "x"), "--no-cache", "--freeze", "tail"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.find("--freeze") != std::string::npos);
  }

  // A flag meant for the other kind of source would be silently ignored:
  // refused before anything is decoded or written.
  void optionsOfTheOtherSourceAreRefused() {
    const auto dir = test::freshTempDir("train-folder-wrong-flags");
    const auto out = dir / "out";
    for (const QString flag : {"--vary-instances", "--shape-augment"}) {
      const test::ProcessResult r = train({"--data", qs(dir), "--steps", "1", "--out", qs(out), flag});
      QCOMPARE(r.exitCode, 2);
      QVERIFY2(r.err.find(flag.toStdString()) != std::string::npos && r.err.find("--scenes only") != std::string::npos,
               r.err.c_str());
    }
    const test::ProcessResult r =
        train({"--scenes", qs(dir / "pack.sspack"), "--steps", "1", "--out", qs(out), "--no-frame-grid-fix"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("--no-frame-grid-fix") != std::string::npos && r.err.find("--data only") != std::string::npos,
             r.err.c_str());
    QVERIFY(!std::filesystem::exists(out));
  }

  // --teacher is checked before any video is decoded or anything written.
  void aWrongTeacherIsRefusedBeforeTraining() {
    const auto dir = makeFolder();
    const auto out = test::freshTempDir("train-folder-teacher") / "out";
    const auto ave = resourceDir() / "models" / "ave";
    test::ProcessResult r = train({"--data", qs(dir), "--objective", "contrastive", "--teacher", qs(ave), "--out", qs(out), "--no-cache"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find(ave.string()) != std::string::npos && r.err.find("--teacher takes an AVOL-Net") != std::string::npos,
             r.err.c_str());
    QVERIFY2(r.err.find("skipped") == std::string::npos, r.err.c_str());  // no video was looked at
    r = train({"--data", qs(dir), "--teacher", qs(resourceDir() / "models" / "avol"), "--out", qs(out), "--no-cache"});
    QCOMPARE(r.exitCode, 2);  // the paper's avc objective has no batch of answers to match
    QVERIFY2(r.err.find("--teacher") != std::string::npos && r.err.find("contrastive") != std::string::npos, r.err.c_str());
    r = train({"--data", qs(dir), "--distill-weight", "2", "--out", qs(out), "--no-cache"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.find("--distill-weight") != std::string::npos && r.err.find("--teacher") != std::string::npos, r.err.c_str());
    QVERIFY(!std::filesystem::exists(out));
  }

  void aFolderWithoutUsableVideosFailsClearly() {
    const auto dir = test::freshTempDir("train-folder-empty");
    test::makeNoAudioClip(dir / "silent.mp4", 2.0, 10, 64, 48);
    writeFileAtomically(dir / "readme.txt", "x");
    const test::ProcessResult r =
        train({"--data", qs(dir), "--steps", "1", "--out", qs(dir.parent_path() / "train-folder-empty-out"), "--no-cache"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find(dir.string()) != std::string::npos && r.err.find("at least two") != std::string::npos, r.err.c_str());
  }
};
SOUNDSPOT_TEST(TestCliTrainFolder)
#include "test_cli_train_folder.moc"
