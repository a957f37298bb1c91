// CCA recovers a component planted in both views and finds none between
// independent noise.
#include "core/common/Error.h"
#include "core/eval/Cca.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot;

namespace {

double pearson(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.to(torch::kFloat64) - a.to(torch::kFloat64).mean();
  const auto y = b.to(torch::kFloat64) - b.to(torch::kFloat64).mean();
  return (x * y).sum().item<double>() / std::sqrt((x * x).sum().item<double>() * (y * y).sum().item<double>());
}

// Views sharing one latent z, hidden among noise dimensions and mixed by
// random matrices.
std::pair<torch::Tensor, torch::Tensor> plantedViews(int64_t n, torch::Tensor* latent = nullptr) {
  const auto z = torch::randn({n, 1});
  auto xRaw = torch::cat({z + 0.01 * torch::randn({n, 1}), torch::randn({n, 5})}, 1);
  auto yRaw = torch::cat({-2 * z + 0.01 * torch::randn({n, 1}), torch::randn({n, 3})}, 1);
  static const auto mixX = torch::randn({6, 6}), mixY = torch::randn({4, 4});
  if (latent) *latent = z.squeeze(1);
  return {xRaw.matmul(mixX) + 3, yRaw.matmul(mixY) - 1};
}

}  // namespace

class TestCca : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void recoversPlantedComponent() {
    torch::manual_seed(11);
    const auto [x, y] = plantedViews(3000);
    const auto cca = eval::Cca::fit(x, y, 3);
    QCOMPARE(cca.components(), 3);
    const auto rho = cca.correlations();
    qInfo("canonical correlations: %.4f %.4f %.4f", rho[0].item<double>(), rho[1].item<double>(),
          rho[2].item<double>());
    QVERIFY(rho[0].item<double>() > 0.99);
    QVERIFY(rho[1].item<double>() < 0.15);
    // On new samples the first projections are still almost perfectly
    // correlated, with each other and with the latent.
    torch::Tensor z;
    const auto [xt, yt] = plantedViews(1000, &z);
    const auto px = cca.projectX(xt), py = cca.projectY(yt);
    QCOMPARE(px.sizes().vec(), (std::vector<int64_t>{1000, 3}));
    QVERIFY(pearson(px.select(1, 0), py.select(1, 0)) > 0.99);
    QVERIFY(std::abs(pearson(px.select(1, 0), z)) > 0.99);
    // Projections are whitened: unit variance on the training data.
    const auto pxTrain = cca.projectX(x);
    QVERIFY(std::abs(pxTrain.select(1, 0).var().item<double>() - 1.0) < 0.02);
  }

  void independentNoiseHasNoCorrelation() {
    torch::manual_seed(12);
    const auto x = torch::randn({3000, 3}), y = torch::randn({3000, 3});
    const auto cca = eval::Cca::fit(x, y, 3);
    qInfo("largest canonical correlation of noise: %.4f", cca.correlations()[0].item<double>());
    QVERIFY(cca.correlations()[0].item<double>() < 0.15);
  }

  void componentsAreCappedAndInputsChecked() {
    torch::manual_seed(13);
    const auto x = torch::randn({50, 4}), y = torch::randn({50, 2});
    QCOMPARE(eval::Cca::fit(x, y, 10).components(), 2);
    QVERIFY_THROWS_EXCEPTION(Error, eval::Cca::fit(x, torch::randn({40, 2}), 2));
    QVERIFY_THROWS_EXCEPTION(Error, eval::Cca::fit(x.slice(0, 0, 1), y.slice(0, 0, 1), 1));
    const auto cca = eval::Cca::fit(x, y, 2);
    QVERIFY_THROWS_EXCEPTION(Error, cca.projectX(torch::randn({5, 3})));
  }
};
SOUNDSPOT_TEST(TestCca)
#include "test_cca.moc"
