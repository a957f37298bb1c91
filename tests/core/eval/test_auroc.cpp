// AUROC = P(positive > negative) + P(tie) / 2, on hand-counted cases.
#include "core/common/Error.h"
#include "core/eval/Auroc.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>
#include <random>

using namespace soundspot;

class TestAuroc : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void knownValues() {
    QCOMPARE(eval::auroc({3, 4, 5}, {0, 1, 2}), 1.0);
    QCOMPARE(eval::auroc({0, 1}, {2, 3, 4}), 0.0);
    QCOMPARE(eval::auroc({1, 1, 1}, {1, 1}), 0.5);
    // 0.9 beats all 3; 0.4 beats 0.1, ties 0.4, loses to 0.5 -> (3 + 1.5) / 6.
    QCOMPARE(eval::auroc({0.9f, 0.4f}, {0.4f, 0.1f, 0.5f}), 0.75);
  }

  void matchesPairCounting() {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> level(0, 9);  // many ties
    std::vector<float> pos(200), neg(150);
    for (auto& v : pos) v = float(level(rng) + 2) / 10;
    for (auto& v : neg) v = float(level(rng)) / 10;
    double wins = 0;
    for (float p : pos)
      for (float n : neg) wins += p > n ? 1.0 : (p == n ? 0.5 : 0.0);
    QVERIFY(std::abs(eval::auroc(pos, neg) - wins / (200.0 * 150.0)) < 1e-12);
  }

  void emptyIsRejected() {
    QVERIFY_THROWS_EXCEPTION(Error, eval::auroc({}, {1}));
    QVERIFY_THROWS_EXCEPTION(Error, eval::auroc({1}, {}));
  }
};
SOUNDSPOT_TEST(TestAuroc)
#include "test_auroc.moc"
