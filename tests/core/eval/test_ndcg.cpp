// nDCG@k against values computed by hand from DCG = sum rel_r / log2(r + 1).
#include "core/common/Error.h"
#include "core/eval/Ndcg.h"
#include "core/eval/Ontology.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace soundspot;

namespace {
bool near(double a, double b, double tol = 1e-6) { return std::abs(a - b) < tol; }
}  // namespace

class TestNdcg : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void relevanceFromDistances() {
    // D = 1 + 5 = 6; rel = 6 - d; unknown (-1) -> 0.
    const std::vector<int> d = {0, 2, 5, -1,  //
                                2, 0, 3, -1,  //
                                5, 3, 0, -1,  //
                                -1, -1, -1, -1};
    const auto rel = eval::relevanceFromDistances(d, 4);
    const std::vector<float> expected = {6, 4, 1, 0, 4, 6, 3, 0, 1, 3, 6, 0, 0, 0, 0, 0};
    QCOMPARE(rel, expected);
  }

  void relevanceFromOntology() {
    const auto o = eval::Ontology::fromJson(nlohmann::json::parse(R"([
      {"id": "/a", "name": "A", "child_ids": ["/b", "/c"]},
      {"id": "/b", "name": "B"}, {"id": "/c", "name": "C"}])"), "tiny");
    // d(B,C) = 2, d(B,A) = 1, d(A,C) = 1 -> D = 3.
    const auto rel = eval::relevanceMatrix({{"B"}, {"C"}, {"A"}, {}}, o);
    const std::vector<float> expected = {3, 1, 2, 0, 1, 3, 2, 0, 2, 2, 3, 0, 0, 0, 0, 0};
    QCOMPARE(rel, expected);
  }

  void perfectRankingIsOne() {
    const int64_t n = 4;
    const std::vector<float> rel = {9, 3, 2, 1, 3, 9, 1, 2, 2, 1, 9, 3, 1, 2, 3, 9};
    QVERIFY(near(eval::meanNdcgAtK(rel, rel, n, 30), 1.0));
    QVERIFY(near(eval::meanNdcgAtK(rel, rel, n, 1), 1.0));
  }

  void worstRankingByHand() {
    // Query 0, candidates 1..3 with relevance 3, 2, 1, k = 2.
    // Ideal: 3/log2(2) + 2/log2(3) = 4.2618595; worst (3 then 2): 1 + 2/log2(3) = 2.2618595.
    const std::vector<float> row = {7, 3, 2, 1};
    const double v = eval::ndcgAtK({3, 2}, row.data(), 4, 0, 2);
    QVERIFY2(near(v, 2.2618595 / 4.2618595), qPrintable(QString::number(v, 'g', 10)));
    // Scores reversed with respect to relevance give the same worst ranking.
    const std::vector<float> scores = {0, 1, 2, 3};
    QCOMPARE(eval::rankByScore(scores.data(), 4, 0), (std::vector<int64_t>{3, 2, 1}));
  }

  void tiesKeepIndexOrder() {
    // All scores equal: ranking 1, 2, 3 with relevance 1, 3, 2; k = 3.
    // DCG = 1 + 3/log2(3) + 2/2 = 3.8927893; IDCG = 3 + 2/log2(3) + 1/2 = 4.7618595.
    const std::vector<float> scores(4, 0.5f);
    const auto ranking = eval::rankByScore(scores.data(), 4, 0);
    QCOMPARE(ranking, (std::vector<int64_t>{1, 2, 3}));
    const std::vector<float> row = {5, 1, 3, 2};
    QVERIFY(near(eval::ndcgAtK(ranking, row.data(), 4, 0, 3), 3.8927893 / 4.7618595));
    // Partial ties: 2 and 3 tie above 1 -> 2, 3, 1.
    const std::vector<float> s2 = {9, 0.1f, 0.7f, 0.7f};
    QCOMPARE(eval::rankByScore(s2.data(), 4, 0), (std::vector<int64_t>{2, 3, 1}));
  }

  void meanSkipsQueriesWithoutRelevantCandidates() {
    // Query 2 is unlabelled (zero relevance row): left out of the mean.
    // Query 0 ranks 2, 1 (scores) with rel 0, 4 -> k = 30: (4/log2(3)) / 4 = 0.6309298.
    // Query 1 ranks 0 first (rel 4) -> 1.
    const std::vector<float> rel = {6, 4, 0, 4, 6, 0, 0, 0, 0};
    const std::vector<float> scores = {1, 0.2f, 0.5f, 0.9f, 1, 0.1f, 0.3f, 0.3f, 1};
    const double expected = (1.0 / std::log2(3.0) + 1.0) / 2;
    QVERIFY(near(eval::meanNdcgAtK(scores, rel, 3, 30), expected));
  }

  void randomBaselineLiesBetweenWorstAndPerfect() {
    // Two groups of 10 clips; relevance 2 within a group, 1 across.
    const int64_t n = 20;
    std::vector<float> rel(n * n);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) rel[i * n + j] = (i / 10 == j / 10) ? 2.f : 1.f;
    std::vector<float> worst(n * n);
    for (size_t i = 0; i < rel.size(); ++i) worst[i] = -rel[i];
    const double lo = eval::meanNdcgAtK(worst, rel, n, 5);
    const double random = eval::ndcgRandom(rel, n, 5, 10, 42);
    QVERIFY(lo < random && random < 1.0);
    QCOMPARE(eval::ndcgRandom(rel, n, 5, 10, 42), random);  // deterministic per seed
    // When every candidate is equally relevant every ranking is ideal.
    const std::vector<float> flat(n * n, 1.f);
    QVERIFY(near(eval::ndcgRandom(flat, n, 5, 3, 0), 1.0));
  }

  void badInputsAreRejected() {
    const std::vector<float> m(9, 1.f);
    QVERIFY_THROWS_EXCEPTION(Error, eval::meanNdcgAtK(m, m, 4, 30));
    QVERIFY_THROWS_EXCEPTION(Error, eval::ndcgAtK({0}, m.data(), 3, 0, 0));
  }
};
SOUNDSPOT_TEST(TestNdcg)
#include "test_ndcg.moc"
