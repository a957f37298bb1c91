// `soundspot-cli index` and `search` run as a user would, on generated clips
// with a tiny random AVE-Net: the JSON results, the table, and bad inputs
// failing with exit code 1 or 2 and one line naming the culprit.
#include "core/common/AtomicFile.h"
#include "core/media/ImageFile.h"
#include "core/nn/Model.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>

using namespace soundspot;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using CliResult = test::ProcessResult;

CliResult runCli(const QStringList& args, int timeoutMs = 300000) {
  return test::runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), QStringList{"-q"} + args, timeoutMs);
}

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

}  // namespace

class TestCliRetrieval : public QObject {
  Q_OBJECT
  fs::path dir_, clips_, model_, index_;

  // Exit code 1 or 2 as given, no crash, one line on stderr naming `culprit`.
  void expectFailure(const QStringList& args, int code, const std::string& culprit) {
    const CliResult r = runCli(args);
    QVERIFY2(!r.crashed, r.err.c_str());
    QVERIFY2(r.exitCode == code, (std::to_string(r.exitCode) + ": " + r.err).c_str());
    QVERIFY2(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err.c_str());
    QVERIFY2(r.err.rfind("soundspot-cli: error: ", 0) == 0, r.err.c_str());
    QVERIFY2(r.err.find(culprit) != std::string::npos, r.err.c_str());
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = test::freshTempDir("cli-retrieval");
    clips_ = dir_ / "clips";
    fs::create_directories(clips_);
    test::makeIndexedClip(clips_ / "one.mp4", 3.0, 10, 64, 48, 48000, 600);
    test::makeIndexedClip(clips_ / "two.mp4", 2.0, 10, 64, 48, 48000, 2500);
    torch::manual_seed(11);
    model_ = dir_ / "ave-tiny";
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Ave, 8, 128}), model_);
    index_ = dir_ / "index";
  }

  void indexAndSearch() {
    CliResult r = runCli({"index", q(clips_), "--model", q(model_), "--out", q(index_), "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const json summary = json::parse(r.out);
    QCOMPARE(summary["entries"].get<int>(), 5);
    QCOMPARE(summary["clips"].get<int>(), 2);

    // A frame finds sounds by default.
    r = runCli({"search", q(index_), "--frame", q(clips_ / "one.mp4") + "@1.5", "--k", "3", "--json", "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    json j = json::parse(r.out);
    QCOMPARE(j["in"].get<std::string>(), std::string("audio"));
    QCOMPARE(j["query"]["modality"].get<std::string>(), std::string("image"));
    QCOMPARE(j["results"].size(), size_t{3});
    for (size_t i = 0; i < 3; ++i) {
      const json& hit = j["results"][i];
      QCOMPARE(hit["rank"].get<int>(), int(i) + 1);
      QVERIFY(hit["clip"] == "one.mp4" || hit["clip"] == "two.mp4");
      QVERIFY(hit["time"].get<double>() == 0.5 || hit["time"].get<double>() == 1.5 || hit["time"].get<double>() == 2.5);
      if (i > 0) QVERIFY(hit["score"].get<double>() <= j["results"][i - 1]["score"].get<double>());
    }

    // A second of sound searched among sounds finds itself with score 1.
    r = runCli({"search", q(index_), "--audio", q(clips_ / "two.mp4") + "@0.5", "--in", "audio", "--k", "5", "--json",
                "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    j = json::parse(r.out);
    QCOMPARE(j["results"].size(), size_t{5});
    bool self = false;
    for (const json& hit : j["results"])
      self |= hit["clip"] == "two.mp4" && hit["time"].get<double>() == 0.5 && hit["score"].get<double>() > 0.9999;
    QVERIFY2(self, r.out.c_str());
    QVERIFY(j["results"][0]["score"].get<double>() > 0.9999);

    // A still image, and the table.
    media::writePng(dir_ / "query.png", test::drawIndexFrame(12, 64, 48));
    r = runCli({"search", q(index_), "--image", q(dir_ / "query.png"), "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QVERIFY2(r.out.find("rank") != std::string::npos && r.out.find("one.mp4") != std::string::npos, r.out.c_str());
    QCOMPARE(std::count(r.out.begin(), r.out.end(), '\n'), 6L);  // header + 5 entries (k 30 > 5)
  }

  void badInputs() {
    const std::string clip = (clips_ / "one.mp4").string();
    expectFailure({"search", q(dir_ / "missing-index"), "--frame", q(clips_ / "one.mp4") + "@1"}, 2, "missing-index");
    expectFailure({"search", q(index_), "--frame", q(clips_ / "one.mp4") + "@abc"}, 2, clip + "@abc");
    expectFailure({"search", q(index_), "--frame", q(clips_ / "one.mp4")}, 2, clip);
    expectFailure({"search", q(index_), "--audio", q(dir_ / "nope.mp4") + "@1"}, 2, "nope.mp4");
    expectFailure({"search", q(index_)}, 2, "--image");
    expectFailure({"search", q(index_), "--image", q(dir_ / "query.png"), "--frame", q(clips_ / "one.mp4") + "@1"}, 2,
                  "exactly one");
    expectFailure({"search", q(index_), "--image", q(dir_ / "query.png"), "--in", "video"}, 2, "video");

    // A damaged index fails (exit 1) naming the file.
    const fs::path damaged = dir_ / "damaged";
    fs::copy(index_, damaged, fs::copy_options::recursive);
    fs::resize_file(damaged / "audio.f32", 100);
    expectFailure({"search", q(damaged), "--image", q(dir_ / "query.png")}, 1, (damaged / "audio.f32").string());
    // Not an index at all.
    expectFailure({"search", q(clips_), "--image", q(dir_ / "query.png")}, 1, "index.json");

    // index: missing source, a foreign output folder.
    expectFailure({"index", q(dir_ / "no-source"), "--model", q(model_), "--out", q(dir_ / "x")}, 2, "no-source");
    expectFailure({"index", q(clips_), "--model", q(model_), "--out", q(clips_)}, 2, clips_.string());
  }
};
SOUNDSPOT_TEST(TestCliRetrieval)
#include "test_cli_retrieval.moc"
