// The media subcommands of the built soundspot-cli, run as a user would:
// outputs, exit codes, and one-line errors that name the file.
#include "core/common/AtomicFile.h"
#include "core/media/ImageFile.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <nlohmann/json.hpp>

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot;

namespace {

using CliResult = test::ProcessResult;
using test::runCli;

QString q(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

}  // namespace

class TestCliMedia : public QObject {
  Q_OBJECT
  std::filesystem::path dir_, clip_;

  // A failure is one line on stderr naming the file, exit code 1 or 2, no crash.
  void expectCleanFailure(const QStringList& args, const std::string& fileName) {
    const CliResult r = runCli(args);
    QVERIFY2(!r.crashed, r.err.c_str());
    QVERIFY2(r.exitCode == 1 || r.exitCode == 2, (std::to_string(r.exitCode) + " " + r.err).c_str());
    QVERIFY2(r.err.find(fileName) != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("error") != std::string::npos, r.err.c_str());
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("cli-media");
    clip_ = dir_ / "clip.mp4";
    test::makeIndexedClip(clip_, 3.0, 20, 80, 60, 44100, 500.0);
  }

  void probePrintsJson() {
    const CliResult r = runCli({"probe", q(clip_)});
    QCOMPARE(r.exitCode, 0);
    const auto j = nlohmann::json::parse(r.out);
    QVERIFY(std::fabs(j["duration"].get<double>() - 3.0) < 0.06);
    QCOMPARE(j["hasAudio"].get<bool>(), true);
    QCOMPARE(j["video"]["width"].get<int>(), 80);
    QCOMPARE(j["video"]["height"].get<int>(), 60);
    QCOMPARE(j["video"]["frameCount"].get<int>(), 60);
    QVERIFY(std::fabs(j["video"]["frameRate"].get<double>() - 20) < 0.01);
    QCOMPARE(j["audio"]["sampleRate"].get<int>(), 44100);
    QCOMPARE(j["audio"]["codec"].get<std::string>(), std::string("aac"));
  }

  void frameWritesThePngShownAtThatTime() {
    const auto png = dir_ / "f.png";
    const CliResult r = runCli({"frame", q(clip_), "--at", "1.23", "--out", q(png)});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto f = media::readImage(png);
    QCOMPARE(f.width, 80);
    QCOMPARE(f.height, 60);
    QCOMPARE(test::decodeFrameIndex(f), 24);  // 1.23 s at 20 fps: frame 24 (1.20 s)
  }

  void badInputsFailCleanly() {
    expectCleanFailure({"probe", q(dir_ / "missing.mp4")}, "missing.mp4");
    writeFileAtomically(dir_ / "junk.mp4", std::string(5000, '\x17'));
    expectCleanFailure({"probe", q(dir_ / "junk.mp4")}, "junk.mp4");
    test::makeTruncatedCopy(clip_, dir_ / "cut.mp4", 0.5);
    expectCleanFailure({"probe", q(dir_ / "cut.mp4")}, "cut.mp4");
    expectCleanFailure({"frame", q(dir_ / "cut.mp4"), "--at", "1", "--out", q(dir_ / "x.png")}, "cut.mp4");
    expectCleanFailure({"frame", q(clip_), "--at", "99", "--out", q(dir_ / "x.png")}, "clip.mp4");
    expectCleanFailure({"frame", q(clip_), "--at", "-1", "--out", q(dir_ / "x.png")}, "clip.mp4");
    QVERIFY(!std::filesystem::exists(dir_ / "x.png"));
    const CliResult usage = runCli({"frame", q(clip_)});  // --at/--out missing
    QCOMPARE(usage.exitCode != 0, true);
    QVERIFY(!usage.crashed);
  }

  void benchMediaReportsFigures() {
    const CliResult r = runCli({"bench", "media", q(clip_), "--seeks", "10"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto j = nlohmann::json::parse(r.out);
    QVERIFY(j["decodeFramesPerSecond"].get<double>() > 0);
    QCOMPARE(j["randomSeeks"].get<int>(), 10);
    QVERIFY(j["seekMeanMs"].get<double>() > 0 && j["seekP95Ms"].get<double>() > 0);
    QVERIFY(j["spectrogramsPerSecond"].get<double>() > 0);
  }
};
SOUNDSPOT_TEST(TestCliMedia)
#include "test_cli_media.moc"
