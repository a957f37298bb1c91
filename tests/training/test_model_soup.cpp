// The recipe's model soup (training/recipes/average-models.py): the folder
// it writes loads like any model, holds the mean of its runs' weights, and
// its card says what differs between the runs (seeds, summed training time,
// the calibration its averaged head holds); runs of different shapes are
// refused without writing anything.
#include "core/nn/Model.h"
#include "tests/support/Fixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

nn::Model run(uint64_t seed, int width, double trainSeconds, double a, double b) {
  torch::manual_seed(seed);
  nn::NetConfig config{nn::Arch::Avol, width, 16};
  config.tower = nn::Tower::Compact;
  nn::Model m = nn::makeModel(config);
  m.card["recipe"] = {{"seed", seed}, {"train_seconds", trainSeconds}, {"lr", 3e-4},
                      {"calibration", {{"a", a}, {"b", b}, {"pairs", 256}}}};
  return m;
}

test::ProcessResult average(const fs::path& out, const std::vector<fs::path>& models) {
  QStringList args{QString::fromStdString((fs::path(SOUNDSPOT_SOURCE_DIR) / "training/recipes/average-models.py").string()),
                   QString::fromStdString(out.string())};
  for (const auto& m : models) args << QString::fromStdString(m.string());
  return test::runProgram("python3", args);
}

}  // namespace

class TestModelSoup : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void holdsTheMeanOfItsRuns() {
    const fs::path dir = test::freshTempDir("model-soup");
    const nn::Model a = run(1, 4, 100.0, 8.0, -3.0), b = run(2, 4, 50.5, 6.0, -2.0);
    nn::saveModel(a, dir / "a", nn::WeightsPrecision::F32);
    nn::saveModel(b, dir / "b", nn::WeightsPrecision::F32);
    const auto r = average(dir / "soup", {dir / "a", dir / "b"});
    QVERIFY2(r.exitCode == 0 && !r.crashed, r.err.c_str());

    const nn::Model soup = nn::loadModel(dir / "soup", "cpu");
    const auto pa = a.module()->named_parameters(true), pb = b.module()->named_parameters(true);
    const auto ps = soup.module()->named_parameters(true);
    QCOMPARE(ps.size(), pa.size());
    for (const auto& item : ps) {
      const auto mean = (pa[item.key()] + pb[item.key()]) / 2;
      QVERIFY2(torch::allclose(item.value(), mean, 1e-6, 1e-6), item.key().c_str());
      QVERIFY2(!torch::allclose(item.value(), pa[item.key()]) || torch::equal(pa[item.key()], pb[item.key()]),
               item.key().c_str());
    }
    // The averaged head holds the mean calibration, and the card says so.
    const auto& recipe = soup.card.at("recipe");
    QCOMPARE(recipe.at("seeds"), nlohmann::json({1, 2}));
    QVERIFY(!recipe.contains("seed"));
    QCOMPARE(recipe.at("train_seconds").get<double>(), 150.5);
    QCOMPARE(recipe.at("calibration").at("a").get<double>(), 7.0);
    QCOMPARE(recipe.at("calibration").at("b").get<double>(), -2.5);
    QCOMPARE(recipe.at("averaged_models").size(), size_t{2});
    QCOMPARE(recipe.at("lr").get<double>(), 3e-4);
  }

  void refusesRunsOfAnotherShape() {
    const fs::path dir = test::freshTempDir("model-soup-shapes");
    nn::saveModel(run(1, 4, 1.0, 1.0, 0.0), dir / "a", nn::WeightsPrecision::F32);
    nn::saveModel(run(2, 8, 1.0, 1.0, 0.0), dir / "b", nn::WeightsPrecision::F32);
    const auto r = average(dir / "soup", {dir / "a", dir / "b"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(QString::fromStdString(r.err).contains("width"), r.err.c_str());
    QVERIFY(!fs::exists(dir / "soup"));
  }
};

SOUNDSPOT_TEST(TestModelSoup)
#include "test_model_soup.moc"
