// The README's results section is rendered from evaluation reports: values
// land in the right rows and columns, absent ones show as "—", and only the
// marked section of the document is replaced.
#include "core/eval/ResultsMarkdown.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;
using nlohmann::json;

namespace {

// The table row that starts with `label` (after "| ") in a given section.
std::string rowOf(const std::string& md, const std::string& sectionTitle, const std::string& label) {
  const auto s = md.find(sectionTitle);
  if (s == std::string::npos) return {};
  const auto r = md.find("| " + label + " |", s);
  if (r == std::string::npos) return {};
  return md.substr(r, md.find('\n', r) - r);
}

}  // namespace

class TestResultsMarkdown : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tablesHoldTheReportedNumbers() {
    const json ave = {{"arch", "ave"}, {"avc_accuracy", 0.8125}, {"ndcg30_random", 0.5},
                      {"ndcg30", {{"im-im", 0.61}, {"im-aud", 0.62}, {"aud-im", 0.63}, {"aud-aud", 0.64}}}};
    const json l3 = {{"arch", "l3"}, {"avc_accuracy", 0.75},
                     {"ndcg30_l3_raw", {{"im-im", 0.55}, {"aud-aud", 0.56}}},
                     {"ndcg30_l3_cca", {{"im-im", 0.57}, {"im-aud", 0.58}, {"aud-im", 0.59}, {"aud-aud", 0.6}}}};
    const json avol = {{"arch", "avol"}, {"avc_accuracy", 0.9}, {"instants", 120},
                       {"localization", {{"pointing_accuracy", 0.917}, {"peak_on_silent_object", 0.05},
                                         {"peak_on_background", 0.033}, {"center_baseline", 0.25}, {"object_baseline", 0.45},
                                         {"ciou50", 0.4}, {"auc", 0.41}, {"mismatch_auroc", 0.93},
                                         {"mismatch_auroc_untrained", nullptr},
                                         {"pointing_interval95_by_class", {0.85, 0.962}}}}};
    const json results = {{"test-seen", {{"ave", ave}, {"l3", l3}, {"avol", avol}}}, {"test-unseen", {{"ave", ave}}}};
    const std::string md = eval::resultsMarkdown(results, "bash tools/report.sh");
    QVERIFY(md.find("bash tools/report.sh") != std::string::npos);
    QCOMPARE(rowOf(md, "nDCG@30, test-seen", "random chance"), std::string("| random chance | 0.500 | 0.500 | 0.500 | 0.500 |"));
    QCOMPARE(rowOf(md, "nDCG@30, test-seen", "AVE-Net"), std::string("| AVE-Net | 0.610 | 0.620 | 0.630 | 0.640 |"));
    // Raw L3 features have no cross-modal directions.
    QCOMPARE(rowOf(md, "nDCG@30, test-seen", "L3-Net"), std::string("| L3-Net | 0.550 | — | — | 0.560 |"));
    QCOMPARE(rowOf(md, "nDCG@30, test-seen", "L3-Net + CCA"), std::string("| L3-Net + CCA | 0.570 | 0.580 | 0.590 | 0.600 |"));
    // test-unseen has no L3-Net report.
    QCOMPARE(rowOf(md, "nDCG@30, test-unseen", "L3-Net + CCA"), std::string("| L3-Net + CCA | — | — | — | — |"));
    QCOMPARE(rowOf(md, "AVC accuracy", "AVE-Net"), std::string("| AVE-Net | 81.2% | 81.2% |"));
    QCOMPARE(rowOf(md, "AVC accuracy", "L3-Net"), std::string("| L3-Net | 75.0% | — |"));
    QCOMPARE(rowOf(md, "Localization", "test-seen"),
             std::string("| test-seen | 91.7% (85.0–96.2) | 5.0% | 3.3% | 25.0% | 45.0% | 0.400 | 0.410 | 0.930 | — | 120 |"));
    // A report without the breakdown (older JSON) shows dashes there.
    QCOMPARE(rowOf(md, "Localization", "test-unseen"), std::string("| test-unseen | — | — | — | — | — | — | — | — | — | — |"));
    // Above chance: (nDCG - 0.5) / (1 - 0.5).
    QCOMPARE(rowOf(md, "Above chance, test-seen", "AVE-Net"), std::string("| AVE-Net | 0.220 | 0.240 | 0.260 | 0.280 |"));
    QCOMPARE(rowOf(md, "Above chance, test-seen", "L3-Net"), std::string("| L3-Net | 0.100 | — | — | 0.120 |"));
    // No chance level known (test-unseen's AVE report has one; a subset without any has none).
    const json noChance = {{"test-seen", {{"avol", {{"arch", "avol"}, {"ndcg30", {{"im-im", 0.7}}}}}}}};
    QCOMPARE(rowOf(eval::resultsMarkdown(noChance, ""), "Above chance, test-seen", "AVOL-Net"),
             std::string("| AVOL-Net | — | — | — | — |"));
  }

  // The ablation compares its own pair when it has one, else the shipped AVE-Net with the ablated one.
  void ablationRowsUseTheControlRunWhenThereIsOne() {
    auto ave = [](double acc) {
      return json{{"arch", "ave"}, {"avc_accuracy", acc}, {"ndcg30", {{"im-aud", acc - 0.1}, {"aud-im", acc - 0.2}}}};
    };
    const json pair = {{"test-seen", {{"ave", ave(0.55)}, {"ave-grid-fix", ave(0.6)}, {"ave-no-grid-fix", ave(0.7)}}}};
    std::string md = eval::resultsMarkdown(pair, "");
    auto ablationRows = [&](const std::string& text) {
      const auto s = text.find("Shortcut ablation");
      return s == std::string::npos ? std::string() : text.substr(s);
    };
    QVERIFY(ablationRows(md).find("| test-seen | with the frame-grid fix | 60.0% | 0.500 | 0.400 |") != std::string::npos);
    QVERIFY(ablationRows(md).find("| test-seen | without it | 70.0% | 0.600 | 0.500 |") != std::string::npos);
    const json single = {{"test-seen", {{"ave", ave(0.55)}, {"ave-no-grid-fix", ave(0.7)}}}};
    md = eval::resultsMarkdown(single, "");
    QVERIFY(ablationRows(md).find("| test-seen | with the frame-grid fix | 55.0% | 0.450 | 0.350 |") != std::string::npos);
  }

  void onlyTheMarkedSectionIsReplaced() {
    const std::string doc = "# Title\nintro\n<!-- results:begin -->\nold numbers\n<!-- results:end -->\nafter\n";
    const std::string out = eval::replaceResultsSection(doc, "new numbers\n");
    QCOMPARE(out, std::string("# Title\nintro\n<!-- results:begin -->\nnew numbers\n<!-- results:end -->\nafter\n"));
    // Idempotent, and appended once when the markers are absent.
    QCOMPARE(eval::replaceResultsSection(out, "new numbers\n"), out);
    const std::string appended = eval::replaceResultsSection("# Title\n", "x");
    QCOMPARE(appended, std::string("# Title\n\n<!-- results:begin -->\nx\n<!-- results:end -->\n"));
  }
};

SOUNDSPOT_TEST(TestResultsMarkdown)
#include "test_results_markdown.moc"
