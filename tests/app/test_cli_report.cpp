// `soundspot-cli report --from-json`: re-renders the results section from
// the JSON reports kept by an earlier run and records each model's headline
// figures in its card (unless --no-cards); a damaged card is an error that
// names it. The committed reports of the shipped models (docs/results) are
// the input, so no evaluation runs here.
#include "core/common/AtomicFile.h"
#include "tests/support/Fixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

using namespace soundspot;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

QString qs(const fs::path& p) { return QString::fromStdString(p.string()); }

const fs::path kResults = fs::path(SOUNDSPOT_SOURCE_DIR) / "docs/results";

// A models folder with the three cards and a README with an old section.
fs::path makeModels(const fs::path& root) {
  for (const char* name : {"avol", "ave", "l3"}) {
    fs::create_directories(root / "models" / name);
    writeFileAtomically(root / "models" / name / "card.json",
                        json{{"arch", name}, {"recipe", {{"steps", 7}}}}.dump(2));
  }
  writeFileAtomically(root / "README.md", "# x\n\n<!-- results:begin -->\nold\n<!-- results:end -->\n\ntail\n");
  return root / "models";
}

test::ProcessResult report(const fs::path& root, const QStringList& extra) {
  auto r = test::runCli(QStringList{"report", "--bench", qs(root / "unused"), "--from-json", "--results-dir", qs(kResults),
                                    "--models", qs(root / "models"), "--readme", qs(root / "README.md")} +
                        extra);
  if (r.crashed) r.exitCode = -1;
  return r;
}

}  // namespace

class TestCliReport : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void recordsTheFiguresInTheCards() {
    if (!fs::exists(kResults / "test-unseen/avol.json")) QSKIP("no committed reports in docs/results");
    const auto root = test::freshTempDir("report-cards");
    const auto models = makeModels(root);
    // Only its name is read in a --from-json run.
    fs::create_directories(root / "unused");
    writeFileAtomically(root / "unused/dataset.json", json{{"name", "Tiny bench"}, {"clips", json::array()}}.dump());
    const auto r = report(root, {});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QCOMPARE(json::parse(readFile(models / "avol/card.json"))["benchmark"]["dataset"].get<std::string>(),
             "Tiny bench (" + (root / "unused").string() + ")");
    const auto readme = readFile(root / "README.md");
    QVERIFY(readme.find("old") == std::string::npos);
    QVERIFY(readme.find("**Localization (AVOL-Net)**") != std::string::npos);
    QVERIFY(readme.find("tail") != std::string::npos);
    for (const char* subset : {"test-seen", "test-unseen"}) {
      const auto avol = json::parse(readFile(kResults / subset / "avol.json"));
      const auto card = json::parse(readFile(models / "avol/card.json"));
      QCOMPARE(card["recipe"]["steps"].get<int>(), 7);  // the rest of the card is kept
      const auto& b = card["benchmark"][subset];
      QCOMPARE(b["pointing_accuracy"].get<double>(), avol["localization"]["pointing_accuracy"].get<double>());
      QCOMPARE(b["mismatch_auroc"].get<double>(), avol["localization"]["mismatch_auroc"].get<double>());
      QCOMPARE(b["avc_accuracy"].get<double>(), avol["avc_accuracy"].get<double>());
      QVERIFY(!b.contains("per_class"));  // headline figures only; the full report stays in --results-dir
      const auto ave = json::parse(readFile(models / "ave/card.json"));
      QCOMPARE(ave["benchmark"][subset]["ndcg30"], json::parse(readFile(kResults / subset / "ave.json"))["ndcg30"]);
      QVERIFY(!ave["benchmark"][subset].contains("pointing_accuracy"));
    }
    QVERIFY(json::parse(readFile(models / "l3/card.json"))["benchmark"]["command"].get<std::string>().rfind("bash tools/report.sh", 0) == 0);
  }

  void noCardsLeavesThemAlone() {
    if (!fs::exists(kResults / "test-unseen/avol.json")) QSKIP("no committed reports in docs/results");
    const auto root = test::freshTempDir("report-no-cards");
    const auto models = makeModels(root);
    const auto before = readFile(models / "avol/card.json");
    auto r = report(root, {"--no-cards"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QCOMPARE(readFile(models / "avol/card.json"), before);
    // Without a dataset.json at --bench the folder alone names the benchmark.
    r = report(root, {});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QCOMPARE(json::parse(readFile(models / "avol/card.json"))["benchmark"]["dataset"].get<std::string>(),
             (root / "unused").string());
  }

  void aDamagedCardIsNamed() {
    if (!fs::exists(kResults / "test-unseen/avol.json")) QSKIP("no committed reports in docs/results");
    const auto root = test::freshTempDir("report-bad-card");
    const auto models = makeModels(root);
    writeFileAtomically(models / "ave/card.json", "{\"arch\": \"ave\",");
    const auto r = report(root, {});
    QVERIFY(r.exitCode != 0 && r.exitCode != -1);
    QVERIFY2(r.err.find((models / "ave/card.json").string()) != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("not valid JSON") != std::string::npos, r.err.c_str());
  }
};

SOUNDSPOT_TEST(TestCliReport)
#include "test_cli_report.moc"
