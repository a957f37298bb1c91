// Writing onto a full disk or into a read-only folder, as soundspot-cli does
// it for a user: a model and its checkpoint (train), an index, an exported
// video and its maps (localize), a scenes dataset. Each must fail with one
// line naming the path, leave the previous version untouched and leave no
// temporary file behind. The test mounts a small tmpfs of its own (skipped,
// with the reason, where it may not mount).
#include "core/common/AtomicFile.h"
#include "core/data/AssetPack.h"
#include "core/nn/Model.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <cstdio>
#include <fstream>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

bool run(const QString& program, const QStringList& args) {
  const auto r = test::runProgram(program, args, 30000);
  return !r.crashed && r.exitCode == 0;
}

// Fills the filesystem of `folder` until only about `leave` bytes are free.
void fillUp(const fs::path& folder, size_t leave) {
  const fs::path filler = folder / "filler";
  std::FILE* f = std::fopen(filler.c_str(), "wb");
  std::vector<char> block(4096, 'x');
  while (f && std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
  }
  if (f) std::fclose(f);
  std::error_code ec;
  const auto size = fs::file_size(filler, ec);
  if (!ec) fs::resize_file(filler, size > leave ? size - leave : 0, ec);
}

std::vector<std::string> temporaries(const fs::path& folder) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(folder))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(e.path().string());
  return found;
}

}  // namespace

class TestCliFullDisk : public QObject {
  Q_OBJECT
  fs::path dir_, disk_, clip_, model_, avol_, pack_, videos_;

  // The command fails cleanly: exit 1, one error line naming a path on the small disk.
  void expectCleanFailure(const QStringList& args, const char* what) {
    const auto r = test::runCli(args, 300000);
    QVERIFY2(!r.crashed, (std::string(what) + ": crashed " + r.err).c_str());
    QVERIFY2(r.exitCode == 1, (std::string(what) + ": exit " + std::to_string(r.exitCode) + " " + r.err).c_str());
    const auto line = r.err.find("soundspot-cli: error: ");
    QVERIFY2(line != std::string::npos, (std::string(what) + ": " + r.err).c_str());
    QVERIFY2(r.err.find(disk_.string(), line) != std::string::npos, (std::string(what) + ": " + r.err).c_str());
    qInfo("%s: %s", what, r.err.substr(line, r.err.find('\n', line) - line).c_str());
    const auto left = temporaries(disk_);
    QVERIFY2(left.empty(), (std::string(what) + " left " + (left.empty() ? "" : left.front())).c_str());
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("full-disk");
    disk_ = dir_ / "small-disk";
    fs::create_directories(disk_);
    if (!run("mount", {"-t", "tmpfs", "-o", "size=3m", "tmpfs", q(disk_)}))
      QSKIP("cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): the full-disk test is skipped");
    clip_ = dir_ / "clip.mp4";
    test::makeIndexedClip(clip_, 2.0, 10, 96, 72, 48000, 600);
    videos_ = dir_ / "videos";
    fs::create_directories(videos_);
    for (const char* name : {"a.mp4", "b.mp4", "c.mp4", "d.mp4"}) fs::copy_file(clip_, videos_ / name);
    torch::manual_seed(5);
    model_ = dir_ / "ave";
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Ave, 8, 128}), model_);
    avol_ = dir_ / "avol";
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Avol, 8, 128}), avol_);
    pack_ = dir_ / "fixture.sspack";
    data::writeAssetPack(test::sceneFixturePack(), pack_);
    // The previous versions, written while there is room.
    writeFileAtomically(disk_ / "overlay.mp4", "previous video");
    writeFileAtomically(disk_ / "maps.npy", "previous maps");
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Avol, 4, 128}), disk_ / "run");
    fillUp(disk_, 4096);
  }

  void cleanupTestCase() {
    if (!disk_.empty()) run("umount", {"-l", q(disk_)});
  }

  void fullDisk() {
    const std::string runCard = readFile(disk_ / "run" / "card.json");
    expectCleanFailure({"localize", q(clip_), "--model", q(avol_), "--out", q(disk_ / "overlay.mp4"), "--device", "cpu"},
                       "localize");
    QCOMPARE(readFile(disk_ / "overlay.mp4"), std::string("previous video"));
    expectCleanFailure({"localize", q(clip_), "--model", q(avol_), "--out", q(dir_ / "overlay.mp4"), "--maps",
                        q(disk_ / "maps.npy"), "--device", "cpu"},
                       "localize --maps");
    QCOMPARE(readFile(disk_ / "maps.npy"), std::string("previous maps"));
    expectCleanFailure({"index", q(videos_), "--model", q(model_), "--out", q(disk_ / "index"), "--device", "cpu"}, "index");
    expectCleanFailure({"scenes", "--pack", q(pack_), "--count", "3", "--duration", "3", "--split-plan", "train=1", "--out", q(disk_ / "scenes")},
                       "scenes");
    // Room for the split and the metrics, not for the first checkpoint.
    fillUp(disk_, 64 * 1024);
    expectCleanFailure({"train", "--data", q(videos_), "--arch", "avol", "--width", "4", "--batch", "4", "--steps", "3",
                        "--device", "cpu", "--no-cache", "--out", q(disk_ / "run2")},
                       "train");
    QCOMPARE(readFile(disk_ / "run" / "card.json"), runCard);
  }

  void readOnlyFolder() {
    QVERIFY(run("mount", {"-o", "remount,ro", q(disk_)}));
    expectCleanFailure({"localize", q(clip_), "--model", q(avol_), "--out", q(disk_ / "overlay.mp4"), "--device", "cpu"},
                       "localize (read-only)");
    expectCleanFailure({"index", q(videos_), "--model", q(model_), "--out", q(disk_ / "index"), "--device", "cpu"},
                       "index (read-only)");
    QCOMPARE(readFile(disk_ / "overlay.mp4"), std::string("previous video"));
  }
};

SOUNDSPOT_TEST(TestCliFullDisk)
#include "test_cli_full_disk.moc"
