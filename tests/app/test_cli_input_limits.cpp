// Limits on untrusted input (README, Limits): files that would make
// soundspot-cli allocate without bound are refused with one line naming the
// file before the memory is taken — a dataset.json of millions of clips, a
// model card of 5 MiB, JSON nested 200,000 deep, a picture wider than 16384
// pixels, audio whose timestamps jump 4 hours.
#include "core/common/AtomicFile.h"
#include "core/common/Paths.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QStandardPaths>
#include <QtTest/QtTest>

#include <fstream>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

}  // namespace

class TestCliInputLimits : public QObject {
  Q_OBJECT
  fs::path dir_;
  QString ffmpeg_;

  void expectRefused(const QStringList& args, const fs::path& file, const std::string& reason) {
    const auto r = test::runCli(args, 120000);
    QVERIFY2(!r.crashed && r.exitCode == 1, (std::to_string(r.exitCode) + " " + r.err).c_str());
    QVERIFY2(r.err.find("soundspot-cli: error: " + file.string()) != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find(reason) != std::string::npos, r.err.c_str());
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("input-limits");
    ffmpeg_ = QStandardPaths::findExecutable("ffmpeg");
  }

  void hugeJsonFilesAreRefusedUnread() {
    const fs::path dataset = dir_ / "many-clips";
    fs::create_directories(dataset);
    {
      std::ofstream(dataset / "dataset.json") << R"({"format": "soundspot-dataset/1", "clips": [)";
    }
    fs::resize_file(dataset / "dataset.json", (64ull << 20) + 1);  // sparse: the size is what counts
    expectRefused({"index", q(dataset), "--model", q(resourceDir() / "models" / "ave"), "--out", q(dir_ / "i")}, dataset / "dataset.json",
                  "more than a dataset.json may be (64 MiB)");

    const fs::path model = dir_ / "big-card";
    fs::create_directories(model);
    {
      std::ofstream(model / "card.json") << "{";
    }
    fs::resize_file(model / "card.json", 5u << 20);
    const fs::path clip = dir_ / "clip.mp4";
    test::makeIndexedClip(clip, 1.5, 10, 64, 48, 48000, 500);
    expectRefused({"localize", q(clip), "--model", q(model), "--out", q(dir_ / "o.mp4")}, model / "card.json",
                  "more than a model card may be");
  }

  void deeplyNestedJsonIsAnErrorNotACrash() {
    const fs::path dataset = dir_ / "deep";
    fs::create_directories(dataset);
    writeFileAtomically(dataset / "dataset.json",
                        R"({"format": "soundspot-dataset/1", "clips": )" + std::string(200000, '[') + std::string(200000, ']') + "}");
    expectRefused({"index", q(dataset), "--model", q(resourceDir() / "models" / "ave"), "--out", q(dir_ / "i")}, dataset / "dataset.json", "clip");
  }

  void absurdPicturesAndAudioAreRefused() {
    QVERIFY2(!ffmpeg_.isEmpty(), "FFmpeg's CLI makes this test's media: bash packaging/install-deps.sh installs it");
    const fs::path wide = dir_ / "wide.y4m", jump = dir_ / "jump.mkv";
    QVERIFY(test::runProgram(ffmpeg_, {"-v", "error", "-y", "-f", "lavfi", "-i", "color=s=16400x16:d=0.04", "-frames:v", "1",
                                       "-f", "yuv4mpegpipe", q(wide)}).exitCode == 0);
    expectRefused({"probe", q(wide)}, wide, "larger than SoundSpot opens");
    // Two seconds of sound whose second half is stamped 4 hours later.
    QVERIFY(test::runProgram(ffmpeg_, {"-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=2", "-af",
                                       "asetpts='PTS+if(gte(T,1),4*3600/TB,0)'", "-c:a", "flac", q(jump)}).exitCode == 0);
    expectRefused({"spectrogram", q(jump), "--at", "0.5", "-o", q(dir_ / "s.npy")}, jump, "past 3 hours");
  }
};

SOUNDSPOT_TEST(TestCliInputLimits)
#include "test_cli_input_limits.moc"
