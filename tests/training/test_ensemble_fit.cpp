// Fitting an ensemble's combination (training/EnsembleFit): the member whose
// maps tell matching from mismatched pairs gets the weight, the fit never
// does worse on its pairs than the plain mean it starts from, and it runs on
// correspondence pairs drawn from a scene pack, cancellable between batches.
#include "core/common/Error.h"
#include "core/data/SceneSource.h"
#include "core/nn/AvolEnsemble.h"
#include "core/nn/Model.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/ExpectError.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"
#include "training/EnsembleFit.h"

#include <QtTest/QtTest>

using namespace soundspot;

namespace {

// P pairs, half matching: member 0's peak is high exactly on the matching
// ones, member 1's maps are noise of the same spread.
struct Synthetic {
  torch::Tensor logits, labels;
};
Synthetic synthetic(int64_t pairs) {
  torch::manual_seed(5);
  const auto labels = (torch::arange(pairs) % 2).to(torch::kFloat);
  auto informative = torch::randn({pairs, 196}) - 2;
  informative.select(1, 17).add_(labels * 6);
  const auto noise = torch::randn({pairs, 196}) * 2;
  return {torch::stack({informative, noise}, 1), labels};
}

nn::Model tinyAvol(uint64_t seed) {
  torch::manual_seed(seed);
  nn::NetConfig config{nn::Arch::Avol, 4, 16};
  config.tower = nn::Tower::Compact;
  nn::Model m = nn::makeModel(config);
  m.module()->eval();
  return m;
}

}  // namespace

class TestEnsembleFit : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void weightGoesToTheMemberThatTells() {
    const Synthetic s = synthetic(512);
    const training::EnsembleFitReport r = training::fitEnsembleCombination(s.logits, s.labels);
    QCOMPARE(r.pairs, int64_t{512});
    QCOMPARE(r.combination.weights.size(), size_t{2});
    QVERIFY2(r.combination.weights[0] > 5 * r.combination.weights[1],
             (std::to_string(r.combination.weights[0]) + " vs " + std::to_string(r.combination.weights[1])).c_str());
    QVERIFY(std::isfinite(r.combination.bias));
    QVERIFY2(r.logLoss < r.meanLogLoss, (std::to_string(r.logLoss) + " vs " + std::to_string(r.meanLogLoss)).c_str());
    QVERIFY(r.avcAccuracy >= r.meanAvcAccuracy);
    QVERIFY2(r.avcAccuracy > 0.9, std::to_string(r.avcAccuracy).c_str());
    // The same pairs with the members swapped: the weights swap too.
    const auto swapped = training::fitEnsembleCombination(s.logits.flip({1}), s.labels);
    QVERIFY(swapped.combination.weights[1] > 5 * swapped.combination.weights[0]);
  }

  void refusesPairsItCannotFitOn() {
    const Synthetic s = synthetic(8);
    test::expectError([&] { training::fitEnsembleCombination(s.logits, torch::ones({8})); }, "both matching and mismatched");
    test::expectError([&] { training::fitEnsembleCombination(s.logits, s.labels.slice(0, 0, 4)); }, "P x N x K");
    test::expectError([&] { training::fitEnsembleCombination(s.logits.flatten(1), s.labels); }, "P x N x K");
  }

  void fitsOnPairsOfAScenePack() {
    const auto pack = test::freshTempDir("ensemble-fit") / "fixture.sspack";
    data::writeAssetPack(test::sceneFixturePack(), pack);
    const nn::Model a = tinyAvol(1), b = tinyAvol(2);
    nn::AvolNet ensemble = nn::makeAvolEnsemble({a.avol, b.avol});
    auto* impl = dynamic_cast<nn::AvolEnsembleImpl*>(ensemble.get());
    const auto source = data::openSceneSource(pack, "val", "cpu", 1);
    Progress progress("fit", 2);
    const auto r = training::fitEnsembleCombination(*impl, *source, 2, 8, &progress);
    QCOMPARE(r.pairs, int64_t{16});
    QCOMPARE(progress.done(), int64_t{2});
    // Set on the ensemble: its maps are now the fitted combination.
    QCOMPARE(impl->combination().weights, r.combination.weights);
    QCOMPARE(impl->combination().bias, r.combination.bias);
    CancelToken cancel;
    cancel.cancel();
    test::expectError([&] { training::fitEnsembleCombination(*impl, *source, 2, 8, nullptr, &cancel); }, "cancelled");
  }
};
SOUNDSPOT_TEST(TestEnsembleFit)
#include "test_ensemble_fit.moc"
