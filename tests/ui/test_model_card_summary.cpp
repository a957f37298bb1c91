// Model ▸ About this model…: the page made from a card says what the network
// is, how it was trained and the benchmark figures the card records (checked
// against the bundled AVOL-Net's own card), says so when a card has none,
// escapes what it quotes, and names card.json when it cannot be read.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"
#include "ui/ModelCardSummary.h"

#include <QMessageBox>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

using namespace soundspot;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

QString qs(const fs::path& p) { return QString::fromStdString(p.string()); }
QString percent(double v) { return QString::number(100.0 * v, 'f', 1) + "%"; }

}  // namespace

class TestModelCardSummary : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void bundledModelShowsItsBenchmarkFigures() {
    const fs::path dir = fs::path(SOUNDSPOT_SOURCE_DIR) / "resources/models/avol";
    if (!fs::exists(dir / "card.json")) QSKIP("no bundled AVOL-Net");
    const json card = json::parse(readFile(dir / "card.json"));
    if (!card.contains("benchmark")) QSKIP("the bundled card has no benchmark figures (soundspot-cli report)");
    const QString page = ui::modelCardSummaryHtml(qs(dir));
    QVERIFY2(page.contains("AVOL-Net (localization)"), qPrintable(page));
    for (const char* subset : {"test-seen", "test-unseen"}) {
      const auto& b = card["benchmark"][subset];
      QVERIFY2(page.contains("pointing " + percent(b["pointing_accuracy"].get<double>())), qPrintable(page));
      QVERIFY2(page.contains(QString::number(b["mismatch_auroc"].get<double>(), 'f', 3)), qPrintable(page));
    }
    QVERIFY2(page.contains(QString("%1 steps of %2 pairs")
                               .arg(card["recipe"]["steps"].get<int>())
                               .arg(card["recipe"]["batch"].get<int>())),
             qPrintable(page));
    if (card["recipe"].contains("teacher")) {
      QVERIFY2(page.contains("distilled from"), qPrintable(page));
      const double temperature = card["recipe"]["teacher"].value("distill_temperature", 0.0);
      if (temperature > 0) QVERIFY2(page.contains("at temperature " + QString::number(temperature)), qPrintable(page));
    }
    if (card["recipe"].contains("averaged_models"))
      QVERIFY2(page.contains(QString("weights averaged over %1 runs").arg(card["recipe"]["averaged_models"].size())),
               qPrintable(page));
    QVERIFY2(page.contains(QString::fromStdString(card["recipe"]["hardware"].get<std::string>()).toHtmlEscaped()), qPrintable(page));
    // To look at the page as the viewer shows it: SOUNDSPOT_SCREENSHOT=F.png.
    if (const QString shot = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT"); !shot.isEmpty()) {
      QMessageBox box(QMessageBox::Information, "About this model", page, QMessageBox::Ok);
      box.setTextFormat(Qt::RichText);
      box.show();
      QTest::qWait(300);
      QVERIFY(box.grab().save(shot));
    }
  }

  void aCardWithoutFiguresSaysSo() {
    const auto dir = test::freshTempDir("card-plain");
    writeFileAtomically(dir / "card.json",
                        json{{"arch", "ave"}, {"width", 8}, {"recipe", {{"steps", 12}, {"batch", 4}, {"command", "train <b>x</b> && y"}}}}.dump());
    const QString page = ui::modelCardSummaryHtml(qs(dir));
    QVERIFY2(page.contains("AVE-Net (retrieval)"), qPrintable(page));
    QVERIFY2(page.contains("12 steps of 4 pairs"), qPrintable(page));
    QVERIFY2(page.contains("none recorded"), qPrintable(page));
    QVERIFY2(page.contains("train &lt;b&gt;x&lt;/b&gt; &amp;&amp; y") && !page.contains("<b>x</b>"), qPrintable(page));
  }

  void aSoupNamesItsRuns() {
    const auto dir = test::freshTempDir("card-soup");
    writeFileAtomically(dir / "card.json", json{{"arch", "avol"},
                                                {"recipe",
                                                 {{"steps", 10},
                                                  {"batch", 4},
                                                  {"averaged_models", {"runs/a", "runs/b", "runs/c"}},
                                                  {"seeds", {1, 2, 3}}}}}
                                               .dump());
    const QString page = ui::modelCardSummaryHtml(qs(dir));
    QVERIFY2(page.contains("10 steps of 4 pairs, weights averaged over 3 runs (seeds 1, 2, 3)"), qPrintable(page));
  }

  void anUnreadableCardIsNamed() {
    const auto dir = test::freshTempDir("card-bad");
    try {
      ui::modelCardSummaryHtml(qs(dir / "missing"));
      QFAIL("a folder without card.json was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("card.json") != std::string::npos, e.what());
    }
    writeFileAtomically(dir / "card.json", "[1, 2");
    try {
      ui::modelCardSummaryHtml(qs(dir));
      QFAIL("a damaged card.json was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find((dir / "card.json").string()) != std::string::npos, e.what());
      QVERIFY2(std::string(e.what()).find("not a JSON object") != std::string::npos, e.what());
    }
  }
};

SOUNDSPOT_TEST(TestModelCardSummary)
#include "test_model_card_summary.moc"
