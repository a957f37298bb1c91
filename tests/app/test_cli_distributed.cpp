// Data-parallel `soundspot-cli train` on one machine (Gloo over loopback):
// `--nproc 2` trains like one process with the doubled batch, only rank 0
// writes, a checkpoint resumes with another world size, a rank that dies
// stops the others with an error instead of a hang, and a bad MASTER_ADDR /
// MASTER_PORT is a clear error.
#include "core/common/AtomicFile.h"
#include "core/common/FreePort.h"
#include "tests/support/Fixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"
#include "tests/support/ToneVideoFixtures.h"

#include <nlohmann/json.hpp>

#include <QElapsedTimer>
#include <QProcess>
#include <QtTest/QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

using namespace soundspot;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }


QStringList trainArgs(const fs::path& data, const fs::path& out, int steps, int batch) {
  return {"--threads", "1", "train", "--data", q(data), "--arch", "avol", "--width", "4", "--batch", QString::number(batch),
          "--device", "cpu", "--steps", QString::number(steps), "--lr", "1e-3", "--checkpoint-every", "0",
          "--checkpoint-minutes", "0", "--seed", "3", "--no-cache", "--out", q(out)};
}

std::vector<double> losses(const fs::path& out) {
  std::vector<double> l;
  std::ifstream in(out / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) l.push_back(json::parse(line).at("loss").get<double>());
  return l;
}

double mean(const std::vector<double>& v, size_t from) {
  return std::accumulate(v.begin() + from, v.end(), 0.0) / double(v.size() - from);
}

// One JSON object per line of stdout.
int jsonLines(const std::string& out) {
  int n = 0;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) n += !line.empty() && line[0] == '{';
  return n;
}

QProcessEnvironment rankEnv(int port, int rank, int world, int timeoutSeconds) {
  auto env = QProcessEnvironment::systemEnvironment();
  env.insert("MASTER_ADDR", "127.0.0.1");
  env.insert("MASTER_PORT", QString::number(port));
  env.insert("WORLD_SIZE", QString::number(world));
  env.insert("RANK", QString::number(rank));
  env.insert("LOCAL_RANK", QString::number(rank));
  env.insert("SOUNDSPOT_DIST_TIMEOUT", QString::number(timeoutSeconds));
  return env;
}

}  // namespace

class TestCliDistributed : public QObject {
  Q_OBJECT
  fs::path dir_;

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("cli-distributed");
    test::writeSmallToneVideos(dir_ / "videos", 6);
  }

  void twoProcessesTrainLikeOneWithTheDoubledBatch() {
    constexpr int kSteps = 24;
    const auto one = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "one", kSteps, 8), 300000);
    QVERIFY2(one.exitCode == 0 && !one.crashed, one.err.c_str());
    QElapsedTimer clock;
    clock.start();
    auto info = QProcessEnvironment::systemEnvironment();
    info.insert("SOUNDSPOT_LOG", "info");  // the line that names backend, world size and rank
    const auto two = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH),
                                      trainArgs(dir_ / "videos", dir_ / "two", kSteps, 4) + QStringList{"--nproc", "2"}, 300000, info);
    QVERIFY2(two.exitCode == 0 && !two.crashed, two.err.c_str());
    // Rank 0 alone writes: one result line, one metrics line per step.
    QCOMPARE(jsonLines(two.out), 1);
    QCOMPARE(json::parse(two.out).value("world_size", 0), 2);
    QVERIFY2(two.err.find("gloo backend, world size 2, rank 0") != std::string::npos, two.err.c_str());
    const auto a = losses(dir_ / "one"), b = losses(dir_ / "two");
    QCOMPARE(a.size(), size_t(kSteps));
    QCOMPARE(b.size(), size_t(kSteps));
    // Same start (same weights; different pairs), and the same level at the end within noise.
    const double first = std::abs(a[0] - b[0]), last = std::abs(mean(a, kSteps / 2) - mean(b, kSteps / 2));
    qInfo("loss 1x8: %.3f -> %.3f, 2x4: %.3f -> %.3f (%.1f s for the 2-process run)", a[0], mean(a, kSteps / 2), b[0],
          mean(b, kSteps / 2), clock.elapsed() / 1000.0);
    QVERIFY2(first < 0.2, std::to_string(first).c_str());
    QVERIFY2(last < 0.15, std::to_string(last).c_str());
    const json card = json::parse(readFile(dir_ / "two" / "card.json"));
    QCOMPARE(card.at("recipe").at("data_parallel").at("world_size").get<int>(), 2);

    // The 2-process checkpoint resumes in one process, and back in two (this
    // time with DDP's bucketed all-reduce, which the card then records).
    auto resumed = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH),
                                    trainArgs(dir_ / "videos", dir_ / "two", kSteps + 2, 4) + QStringList{"--resume"}, 300000);
    QVERIFY2(resumed.exitCode == 0 && !resumed.crashed, resumed.err.c_str());
    QCOMPARE(losses(dir_ / "two").size(), size_t(kSteps + 2));
    resumed = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH),
                               trainArgs(dir_ / "videos", dir_ / "two", kSteps + 4, 4) +
                                   QStringList{"--resume", "--nproc", "2", "--allreduce", "bucketed", "--bucket-kb", "64"},
                               300000);
    QVERIFY2(resumed.exitCode == 0 && !resumed.crashed, resumed.err.c_str());
    QCOMPARE(losses(dir_ / "two").size(), size_t(kSteps + 4));
    const std::string gradients =
        json::parse(readFile(dir_ / "two" / "card.json")).at("recipe").at("data_parallel").at("gradients").get<std::string>();
    QVERIFY2(gradients.find("bucketed") != std::string::npos, gradients.c_str());
  }

  void aDeadRankStopsTheOthers() {
    // Started by hand (as torchrun would): rank 1 dies before step 2; rank 0
    // must end with an error naming the group, long before its timeout.
    const int port = freeLoopbackPort();
    QProcess rank0, rank1;
    auto env0 = rankEnv(port, 0, 2, 60), env1 = rankEnv(port, 1, 2, 60);
    env1.insert("SOUNDSPOT_FAULT_RANK_EXIT", "1:2");
    rank0.setProcessEnvironment(env0);
    rank1.setProcessEnvironment(env1);
    QElapsedTimer clock;
    clock.start();
    rank0.start(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "dead", 20, 4));
    rank1.start(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "dead", 20, 4));
    QVERIFY(rank1.waitForFinished(120000));
    QVERIFY(rank0.waitForFinished(120000));
    const std::string err = rank0.readAllStandardError().toStdString();
    qInfo("rank 0 stopped %.1f s after the start: %s", clock.elapsed() / 1000.0, err.substr(err.rfind("error:")).c_str());
    QCOMPARE(rank1.exitCode(), 3);
    QVERIFY(rank0.exitCode() != 0);
    QVERIFY2(err.find("127.0.0.1:" + std::to_string(port)) != std::string::npos, err.c_str());
    QVERIFY2(err.find("rank 0 of 2") != std::string::npos, err.c_str());
    QVERIFY(clock.elapsed() < 60000);

    // Through --nproc: the launcher stops the survivors and names the rank that died.
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert("SOUNDSPOT_FAULT_RANK_EXIT", "1:2");
    const auto r = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH),
                                    trainArgs(dir_ / "videos", dir_ / "dead2", 20, 4) + QStringList{"--nproc", "2"}, 120000, env);
    QVERIFY(!r.crashed);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("rank 1 of 2: exited with status 3") != std::string::npos, r.err.c_str());
  }

  void aBadMasterAddressOrPortIsAClearError() {
    // Nobody listens on this port: rank 1 gives up after SOUNDSPOT_DIST_TIMEOUT.
    const int port = freeLoopbackPort();
    auto r = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "bad", 2, 4), 60000,
                              rankEnv(port, 1, 2, 3));
    QVERIFY(!r.crashed);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("127.0.0.1:" + std::to_string(port)) != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("MASTER_ADDR:MASTER_PORT") != std::string::npos, r.err.c_str());
    // A host name that does not resolve.
    auto env = rankEnv(port, 1, 2, 3);
    env.insert("MASTER_ADDR", "no-such-host.invalid");
    r = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "bad", 2, 4), 60000, env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("no-such-host.invalid:" + std::to_string(port)) != std::string::npos, r.err.c_str());
    // A port that is not a port.
    env = rankEnv(port, 1, 2, 3);
    env.insert("MASTER_PORT", "70000");
    r = test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), trainArgs(dir_ / "videos", dir_ / "bad", 2, 4), 60000, env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("MASTER_PORT") != std::string::npos, r.err.c_str());
  }
};

SOUNDSPOT_TEST(TestCliDistributed)
#include "test_cli_distributed.moc"
