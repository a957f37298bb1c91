// `soundspot-cli spectrogram` run as a user would: the window is centred on
// --at (checked with a clip whose tone starts at a known time), the output
// is a 257 x 200 .npy, and bad inputs fail with one line naming the file.
#include "core/common/AtomicFile.h"
#include "core/common/Npy.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot;

namespace {

using CliRun = test::ProcessResult;
using test::runCli;

QString q(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

constexpr double kToneHz = 3000.0;
constexpr int kToneBin = 32;  // round(3000 * 512 / 48000)

}  // namespace

class TestCliSpectrogram : public QObject {
  Q_OBJECT
  std::filesystem::path dir_, clip_;

  void expectCleanFailure(const QStringList& args, const std::string& fileName, int exitCode) {
    const CliRun r = runCli(args);
    QVERIFY2(!r.crashed, r.err.c_str());
    QVERIFY2(r.exitCode == exitCode, (std::to_string(r.exitCode) + " " + r.err).c_str());
    QVERIFY2(r.err.find(fileName) != std::string::npos, r.err.c_str());
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("cli-spectrogram");
    clip_ = dir_ / "onset.mp4";
    // Silent for 2 s, then a 3 kHz tone until 4 s.
    test::makeToneOnsetClip(clip_, 4.0, 10, 64, 48, 48000, kToneHz, 2.0);
  }

  void windowIsCentredOnTheTime() {
    const auto out = dir_ / "at2.npy";
    const CliRun r = runCli({"spectrogram", q(clip_), "--at", "2.0", "--out", q(out)});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto spec = readNpy(out);
    QCOMPARE(spec.shape, (std::vector<int64_t>{257, 200}));
    auto at = [&](int f, int i) { return spec.data[size_t(f) * 200 + i]; };
    // The window runs from 1.5 s to 2.5 s: frames 0..99 cover 1.5..2.0 s
    // (silence), frames 100..199 the tone.
    for (int i : {20, 60, 90}) QVERIFY2(at(kToneBin, i) < std::log(1e-3), qPrintable(QString::number(at(kToneBin, i))));
    for (int i : {110, 150, 190}) {
      QVERIFY2(at(kToneBin, i) > std::log(1.0), qPrintable(QString::number(at(kToneBin, i))));
      int best = 0;
      for (int f = 1; f < 257; ++f)
        if (at(f, i) > at(best, i)) best = f;
      QCOMPARE(best, kToneBin);
    }
  }

  void windowPastTheStartIsZeroPadded() {
    const auto out = dir_ / "at0.npy";
    const CliRun r = runCli({"spectrogram", q(clip_), "--at", "0", "--out", q(out)});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const auto spec = readNpy(out);
    // -0.5..0 s lies before the media: exactly zero samples there.
    QCOMPARE(spec.data[size_t(kToneBin) * 200 + 10], std::log(1e-7f));
  }

  void badInputsFailCleanly() {
    const auto out = dir_ / "x.npy";
    expectCleanFailure({"spectrogram", q(dir_ / "missing.mp4"), "--at", "1", "--out", q(out)}, "missing.mp4", 2);
    writeFileAtomically(dir_ / "junk.mp4", std::string(5000, '\x17'));
    expectCleanFailure({"spectrogram", q(dir_ / "junk.mp4"), "--at", "1", "--out", q(out)}, "junk.mp4", 1);
    test::makeNoAudioClip(dir_ / "mute.mp4", 2.0, 10, 64, 48);
    expectCleanFailure({"spectrogram", q(dir_ / "mute.mp4"), "--at", "1", "--out", q(out)}, "mute.mp4", 2);
    expectCleanFailure({"spectrogram", q(clip_), "--at", "99", "--out", q(out)}, "onset.mp4", 2);
    expectCleanFailure({"spectrogram", q(clip_), "--at", "-1", "--out", q(out)}, "onset.mp4", 2);
    QVERIFY(!std::filesystem::exists(out));
  }
};
SOUNDSPOT_TEST(TestCliSpectrogram)
#include "test_cli_spectrogram.moc"
