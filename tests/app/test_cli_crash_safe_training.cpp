// Crash-safe training: `soundspot-cli train` is killed with SIGKILL at random
// moments (a third of them while a checkpoint is being written, held half
// done by fault injection) and resumed each time. It must always resume from
// the last complete checkpoint, leave no temporary files behind, and end with
// exactly the weights of a run that was never interrupted.
#include "core/common/AtomicFile.h"
#include "core/nn/Model.h"
#include "tests/support/Fixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"
#include "tests/support/ToneVideoFixtures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QThread>
#include <QtTest/QtTest>

#include <fstream>
#include <random>

using namespace soundspot;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

constexpr int kSteps = 40;

QStringList trainArgs(const fs::path& data, const fs::path& out) {
  return {"train", "--data", q(data), "--arch", "avol", "--width", "4", "--batch", "4", "--device", "cpu",
          "--steps", QString::number(kSteps), "--checkpoint-every", "2", "--checkpoint-minutes", "0",
          "--seed", "3", "--no-cache", "--out", q(out)};
}

// The last step in metrics.jsonl (0 when none).
int64_t lastLoggedStep(const fs::path& out) {
  std::ifstream in(out / "metrics.jsonl");
  int64_t step = 0;
  for (std::string line; std::getline(in, line);) {
    try {
      step = json::parse(line).value("step", step);
    } catch (const json::exception&) {
      // a line cut by the kill
    }
  }
  return step;
}

bool hasTemporaryFolder(const fs::path& folder, const std::string& prefix) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind(prefix, 0) == 0) return true;
  return false;
}

std::vector<std::string> leftovers(const fs::path& folder) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) found.push_back(entry.path().string());
  return found;
}

}  // namespace

class TestCliCrashSafeTraining : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void killedAtRandomMomentsResumesToTheSameWeights() {
    const fs::path dir = test::freshTempDir("crash-safe");
    test::writeSmallToneVideos(dir / "videos", 6);

    const fs::path reference = dir / "uninterrupted";
    const auto r = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir / "videos", reference), 600000);
    QVERIFY2(r.exitCode == 0 && !r.crashed, r.err.c_str());

    const fs::path out = dir / "killed";
    std::mt19937 rng(20181);
    int kills = 0, killsInCheckpoint = 0;
    bool finished = false;
    for (int attempt = 0; attempt < 60 && !finished; ++attempt) {
      const bool resume = fs::exists(out / "checkpoint" / "state.json");
      if (!resume) fs::remove_all(out);  // killed before the first checkpoint: start over
      int64_t resumedAt = 0;
      if (resume) {
        // The checkpoint in place is always a complete one.
        const json state = json::parse(readFile(out / "checkpoint" / "state.json"));
        resumedAt = state.at("step").get<int64_t>();
        QVERIFY(resumedAt % 2 == 0 && resumedAt <= kSteps);
        nn::loadModel(out / "checkpoint" / "model", "cpu");
        QVERIFY(fs::exists(out / "checkpoint" / "optimizer.pt") && fs::exists(out / "checkpoint" / "rng.pt"));
      }
      const bool inCheckpoint = kills < 12 && kills % 3 == 0;
      const bool killThisTime = kills < 12;
      QProcess p;
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      if (inCheckpoint) env.insert("SOUNDSPOT_FAULT_CHECKPOINT_PAUSE_MS", "300");
      p.setProcessEnvironment(env);
      p.start(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir / "videos", out) + (resume ? QStringList{"--resume"} : QStringList{}));
      QVERIFY(p.waitForStarted());
      const int64_t killAfter = resumedAt + std::uniform_int_distribution<int>(1, 5)(rng);
      QElapsedTimer clock;
      clock.start();
      bool killed = false;
      while (killThisTime && p.state() != QProcess::NotRunning && clock.elapsed() < 120000) {
        const bool due = inCheckpoint ? (fs::exists(out) && hasTemporaryFolder(out, "checkpoint.tmp-"))
                                      : lastLoggedStep(out) >= killAfter;
        if (due) {
          p.kill();  // SIGKILL
          p.waitForFinished();
          killed = true;
          break;
        }
        QThread::msleep(2);
        QCoreApplication::processEvents();
      }
      if (killed) {
        ++kills;
        if (inCheckpoint) ++killsInCheckpoint;
        continue;
      }
      QVERIFY(p.waitForFinished(300000));
      QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, p.readAllStandardError().constData());
      finished = true;
    }
    QVERIFY(finished);
    qInfo("%d kills (%d inside a checkpoint write), then a resumed run finished", kills, killsInCheckpoint);
    QVERIFY(kills >= 10);
    QVERIFY(killsInCheckpoint >= 3);

    // Nothing half-written is left, and the weights are those of the run that was never stopped.
    const auto litter = leftovers(out);
    QVERIFY2(litter.empty(), litter.empty() ? "" : litter.front().c_str());
    const nn::Model a = nn::loadModel(reference, "cpu"), b = nn::loadModel(out, "cpu");
    auto pa = a.module()->named_parameters(true), pb = b.module()->named_parameters(true);
    QCOMPARE(pa.size(), pb.size());
    for (const auto& item : pa) {
      const torch::Tensor& x = item.value();
      const torch::Tensor& y = pb[item.key()];
      QVERIFY2(torch::equal(x, y), (item.key() + ": max difference " +
                                    std::to_string((x - y).abs().max().item<float>())).c_str());
    }
    auto ba = a.module()->named_buffers(true), bb = b.module()->named_buffers(true);
    for (const auto& item : ba) QVERIFY2(torch::equal(item.value(), bb[item.key()]), item.key().c_str());
  }
};

SOUNDSPOT_TEST(TestCliCrashSafeTraining)
#include "test_cli_crash_safe_training.moc"
