// An ensemble of evaluated AVE-Nets or L3-Nets answers with the mean of its
// members' logits, and its embeddings compare as the mean of the members'
// cosines; members of different architectures, and AVOL-Nets (combined by
// nn::AvolEnsemble, TestAvolEnsemble), are refused.
#include "core/common/Error.h"
#include "core/eval/EnsembleNetwork.h"
#include "core/nn/Model.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;

namespace {

nn::Model tinyModel(nn::Arch arch, uint64_t seed) {
  torch::manual_seed(seed);
  return nn::makeModel(nn::NetConfig{arch, 8, 128});
}

bool close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-4, 1e-5); }

}  // namespace

class TestEnsembleNetwork : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void averagesTheMembersLogits() {
    torch::NoGradGuard noGrad;
    const nn::Model a = tinyModel(nn::Arch::Ave, 1), b = tinyModel(nn::Arch::Ave, 2);
    auto netA = eval::makeEvalNetwork(a), netB = eval::makeEvalNetwork(b);
    std::vector<std::unique_ptr<eval::EvalNetwork>> members;
    members.push_back(eval::makeEvalNetwork(a));
    members.push_back(eval::makeEvalNetwork(b));
    auto ensemble = eval::makeEnsembleNetwork(std::move(members));
    QCOMPARE(QString::fromStdString(ensemble->arch()), QString("ave"));
    QVERIFY(!ensemble->localizes());

    torch::manual_seed(9);
    const auto images = torch::randn({3, 3, 224, 224}), spectrograms = torch::randn({3, 1, 257, 200});
    const auto scoreA = netA->correspondence(images, spectrograms), scoreB = netB->correspondence(images, spectrograms);
    QVERIFY(!close(scoreA, scoreB));  // the members differ, so the mean is not either of them
    QVERIFY(close(ensemble->correspondence(images, spectrograms), (scoreA + scoreB) / 2));

    // Image 0 against audio 1: the ensemble's dot product is the mean cosine.
    namespace F = torch::nn::functional;
    const auto cosine = [&](eval::EvalNetwork& n) {
      const auto i = F::normalize(n.imageEmbedding(images), F::NormalizeFuncOptions().dim(1));
      const auto s = F::normalize(n.audioEmbedding(spectrograms), F::NormalizeFuncOptions().dim(1));
      return (i[0] * s[1]).sum().item<double>();
    };
    const auto im = ensemble->imageEmbedding(images), au = ensemble->audioEmbedding(spectrograms);
    QCOMPARE(im.size(1), 2 * netA->imageEmbedding(images).size(1));
    QVERIFY(std::abs((im[0] * au[1]).sum().item<double>() - (cosine(*netA) + cosine(*netB)) / 2) < 1e-5);
    QVERIFY(std::abs((im[2] * im[2]).sum().item<double>() - 1) < 1e-5);  // unit length, like one member's
  }

  void oneMemberIsTheMemberItself() {
    torch::NoGradGuard noGrad;
    const nn::Model a = tinyModel(nn::Arch::Ave, 4);
    std::vector<std::unique_ptr<eval::EvalNetwork>> members;
    members.push_back(eval::makeEvalNetwork(a));
    const eval::EvalNetwork* member = members.front().get();
    QCOMPARE(eval::makeEnsembleNetwork(std::move(members)).get(), member);
  }

  void refusesMixedOrNoMembers() {
    std::vector<std::unique_ptr<eval::EvalNetwork>> members;
    members.push_back(eval::makeEvalNetwork(tinyModel(nn::Arch::Avol, 1)));
    members.push_back(eval::makeEvalNetwork(tinyModel(nn::Arch::Ave, 1)));
    try {
      eval::makeEnsembleNetwork(std::move(members));
      QFAIL("mixed architectures accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("avol") != std::string::npos &&
                   std::string(e.what()).find("ave)") != std::string::npos,
               e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, eval::makeEnsembleNetwork({}));

    std::vector<std::unique_ptr<eval::EvalNetwork>> avol;
    avol.push_back(eval::makeEvalNetwork(tinyModel(nn::Arch::Avol, 1)));
    avol.push_back(eval::makeEvalNetwork(tinyModel(nn::Arch::Avol, 2)));
    QVERIFY_THROWS_EXCEPTION(Error, eval::makeEnsembleNetwork(std::move(avol)));
  }
};
SOUNDSPOT_TEST(TestEnsembleNetwork)
#include "test_ensemble_network.moc"
