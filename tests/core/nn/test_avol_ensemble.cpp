// Ensembles of AVOL-Nets: one network whose map is the mean (or a weighted
// sum plus a bias) of the members' calibrated logits (AvolEnsemble), and the
// ensemble model folder that holds them (EnsembleFolder): written, loaded
// back as one model, and every malformed card refused with an Error naming
// the file.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/nn/AvolEnsemble.h"
#include "core/nn/EnsembleFolder.h"
#include "core/nn/Model.h"
#include "tests/support/ExpectError.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

using namespace soundspot;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

nn::Model tinyAvol(uint64_t seed, nn::Similarity similarity = nn::Similarity::Cosine, int embedDim = 16) {
  torch::manual_seed(seed);
  nn::NetConfig config{nn::Arch::Avol, 4, embedDim};
  config.similarity = similarity;
  config.tower = nn::Tower::Compact;
  nn::Model m = nn::makeModel(config);
  // A calibration of its own per member, so that the mean is not trivially either.
  torch::NoGradGuard g;
  m.avol->calibration->weight.fill_(2.0f + static_cast<float>(seed));
  m.avol->calibration->bias.fill_(-1.0f * static_cast<float>(seed));
  m.module()->eval();
  return m;
}

bool close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-4, 1e-5); }

using test::expectError;

struct Inputs {
  torch::Tensor images, spectrograms;
};
Inputs inputs() {
  torch::manual_seed(11);
  return {torch::randn({2, 3, 224, 224}), torch::randn({2, 1, 257, 200})};
}

}  // namespace

class TestAvolEnsemble : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void mapIsTheMeanOfTheMembersLogits() {
    torch::NoGradGuard noGrad;
    nn::Model a = tinyAvol(1), b = tinyAvol(2);
    nn::AvolNet ensemble = nn::makeAvolEnsemble({a.avol, b.avol});
    const Inputs in = inputs();  // not a structured binding: clang (C++17) cannot capture those
    const torch::Tensor &images = in.images, &spectrograms = in.spectrograms;
    const auto mapA = a.avol->mapLogits(a.avol->visualRegions(images), a.avol->audioEmbedding(spectrograms));
    const auto mapB = b.avol->mapLogits(b.avol->visualRegions(images), b.avol->audioEmbedding(spectrograms));
    QVERIFY(!close(mapA, mapB));
    const nn::AvolOutput out = ensemble->forward(images, spectrograms);
    QVERIFY(close(torch::logit(out.map, 1e-7), (mapA + mapB) / 2));
    // The correspondence score is the ensemble map's own maximum.
    QVERIFY(close(out.logit, ((mapA + mapB) / 2).flatten(1).amax(1)));

    // Regions and audio side by side, unit length: a region's dot product
    // with the audio is the mean of the members' cosines.
    const auto regions = ensemble->visualRegions(images), audio = ensemble->audioEmbedding(spectrograms);
    QCOMPARE(regions.size(1), int64_t{32});
    QCOMPARE(audio.size(1), int64_t{32});
    QVERIFY(close(regions.norm(2, {1}), torch::ones({2, 14, 14})));
    const auto cosine = [&](nn::Model& m) {
      return m.avol->similarity(m.avol->visualRegions(images), m.avol->audioEmbedding(spectrograms)).squeeze(1);
    };
    const auto dot = (regions * audio.unsqueeze(-1).unsqueeze(-1)).sum(1);
    QVERIFY(close(dot, (cosine(a) + cosine(b)) / 2));
  }

  void dotProductMembersKeepTheirScale() {
    torch::NoGradGuard noGrad;
    nn::Model a = tinyAvol(1, nn::Similarity::Dot), b = tinyAvol(2, nn::Similarity::Dot);
    nn::AvolNet ensemble = nn::makeAvolEnsemble({a.avol, b.avol});
    const Inputs in = inputs();  // not a structured binding: clang (C++17) cannot capture those
    const torch::Tensor &images = in.images, &spectrograms = in.spectrograms;
    const auto mapA = a.avol->mapLogits(a.avol->visualRegions(images), a.avol->audioEmbedding(spectrograms));
    const auto mapB = b.avol->mapLogits(b.avol->visualRegions(images), b.avol->audioEmbedding(spectrograms));
    QVERIFY(close(ensemble->mapLogits(ensemble->visualRegions(images), ensemble->audioEmbedding(spectrograms)),
                  (mapA + mapB) / 2));
    // One audio embedding for a batch of frames, as the viewer asks.
    const auto one = ensemble->audioEmbedding(spectrograms.slice(0, 0, 1));
    QVERIFY(close(ensemble->mapLogits(ensemble->visualRegions(images), one)[1],
                  ((a.avol->mapLogits(a.avol->visualRegions(images), a.avol->audioEmbedding(spectrograms.slice(0, 0, 1))) +
                    b.avol->mapLogits(b.avol->visualRegions(images), b.avol->audioEmbedding(spectrograms.slice(0, 0, 1)))) /
                   2)[1]));
  }

  void weightsAndBiasCombineTheMembers() {
    torch::NoGradGuard noGrad;
    nn::Model a = tinyAvol(1), b = tinyAvol(2);
    nn::AvolNet ensemble = nn::makeAvolEnsemble({a.avol, b.avol}, {{0.25, 1.5}, 0.5});
    const Inputs in = inputs();  // not a structured binding: clang (C++17) cannot capture those
    const torch::Tensor &images = in.images, &spectrograms = in.spectrograms;
    const auto mapA = a.avol->mapLogits(a.avol->visualRegions(images), a.avol->audioEmbedding(spectrograms));
    const auto mapB = b.avol->mapLogits(b.avol->visualRegions(images), b.avol->audioEmbedding(spectrograms));
    const auto expected = mapA * 0.25 + mapB * 1.5 + 0.5;
    const nn::AvolOutput out = ensemble->forward(images, spectrograms);
    QVERIFY(close(torch::logit(out.map, 1e-7), expected));
    QVERIFY(close(out.logit, expected.flatten(1).amax(1)));
    auto* impl = dynamic_cast<nn::AvolEnsembleImpl*>(ensemble.get());
    QVERIFY(impl);
    QVERIFY(close(impl->memberLogits(ensemble->visualRegions(images), ensemble->audioEmbedding(spectrograms)),
                  torch::stack({mapA, mapB}, 1)));
    // Combinations that do not fit the members are refused and leave it as it was.
    expectError([&] { impl->setCombination({{1.0}, 0}); }, "1 combination weights for 2 members");
    expectError([&] { impl->setCombination({{1.0, -0.5}, 0}); }, "negative");
    expectError([&] { impl->setCombination({{0.0, 0.0}, 0}); }, "all zero");
    expectError([&] { impl->setCombination({{1.0, std::nan("")}, 0}); }, "finite");
    expectError([&] { impl->setCombination({{}, std::numeric_limits<double>::infinity()}); }, "bias");
    QVERIFY(close(ensemble->forward(images, spectrograms).logit, expected.flatten(1).amax(1)));
    impl->setCombination({});  // back to the mean
    QVERIFY(close(ensemble->forward(images, spectrograms).logit, ((mapA + mapB) / 2).flatten(1).amax(1)));
  }

  void refusesWhatCannotBeCombined() {
    expectError([] { nn::makeAvolEnsemble({}); }, "no member");
    const nn::Model a = tinyAvol(1), wide = tinyAvol(2, nn::Similarity::Cosine, 32);
    expectError([&] { nn::makeAvolEnsemble({a.avol, wide.avol}); }, "32 dimensions");
    nn::AvolNet inner = nn::makeAvolEnsemble({a.avol, a.avol});
    expectError([&] { nn::makeAvolEnsemble({inner, a.avol}); }, "itself an ensemble");
    torch::manual_seed(1);
    const nn::Model ave = nn::makeModel({nn::Arch::Ave, 4, 16});
    expectError([&] { nn::ensembleOf({a, ave}, json::object()); }, "ave");
  }

  void folderLoadsAsOneModel() {
    torch::NoGradGuard noGrad;
    const fs::path root = test::freshTempDir("ensemble-folder");
    nn::Model a = tinyAvol(1), b = tinyAvol(2);
    nn::saveModel(a, root / "a", nn::WeightsPrecision::F32);
    nn::saveModel(b, root / "b", nn::WeightsPrecision::F32);
    // A member's checkpoint and metrics stay behind: only its card and weights travel.
    fs::create_directories(root / "a" / "checkpoint");
    writeFileAtomically(root / "a" / "checkpoint" / "state.bin", "x");
    writeFileAtomically(root / "a" / "metrics.jsonl", "{}\n");
    nn::writeEnsembleFolder({root / "a", root / "b"}, root / "ens", {{"command", "test"}});

    const json card = json::parse(readFile(root / "ens" / "card.json"));
    QCOMPARE(card["arch"].get<std::string>(), std::string("avol"));
    QCOMPARE(card["ensemble"]["members"], (json{"members/1-a", "members/2-b"}));
    QCOMPARE(card["recipe"]["command"].get<std::string>(), std::string("test"));
    QVERIFY(fs::exists(root / "ens" / "members" / "1-a" / "vision.safetensors"));
    QVERIFY(!fs::exists(root / "ens" / "members" / "1-a" / "checkpoint"));
    QVERIFY(!fs::exists(root / "ens" / "members" / "1-a" / "metrics.jsonl"));

    const nn::Model loaded = nn::loadModel(root / "ens", "cpu");
    QVERIFY(nn::isEnsembleCard(loaded.card));
    QVERIFY(nn::avolNet(loaded));
    QVERIFY(loaded.config.arch == nn::Arch::Avol);
    const Inputs in = inputs();  // not a structured binding: clang (C++17) cannot capture those
    const torch::Tensor &images = in.images, &spectrograms = in.spectrograms;
    const auto expected = nn::makeAvolEnsemble({a.avol, b.avol})->forward(images, spectrograms);
    const auto got = nn::avolNet(loaded)->forward(images, spectrograms);
    QVERIFY(close(got.map, expected.map));
    QVERIFY(close(got.logit, expected.logit));
    // An ensemble is not saved as one network.
    expectError([&] { nn::saveModel(loaded, root / "flat"); }, "ensemble");
    QVERIFY(!fs::exists(root / "flat"));

    // A fitter sets the combination before anything is written; the card
    // records it with the fitter's report, and loading applies it.
    nn::writeEnsembleFolder({root / "a", root / "b"}, root / "fitted", json::object(), [](nn::Model& e) {
      dynamic_cast<nn::AvolEnsembleImpl*>(e.avol.get())->setCombination({{0.25, 1.5}, 0.5});
      return json{{"pairs", 64}};
    });
    const json fittedCard = json::parse(readFile(root / "fitted" / "card.json"));
    QCOMPARE(fittedCard["ensemble"]["weights"], (json{0.25, 1.5}));
    QCOMPARE(fittedCard["ensemble"]["bias"].get<double>(), 0.5);
    QCOMPARE(fittedCard["ensemble"]["fit"]["pairs"].get<int>(), 64);
    QVERIFY(fittedCard["ensemble"]["combine"].get<std::string>().find("weighted") != std::string::npos);
    const auto weighted = nn::makeAvolEnsemble({a.avol, b.avol}, {{0.25, 1.5}, 0.5})->forward(images, spectrograms);
    QVERIFY(close(nn::avolNet(nn::loadModel(root / "fitted", "cpu"))->forward(images, spectrograms).logit, weighted.logit));
    QVERIFY(!close(weighted.logit, expected.logit));
    // A fitter that fails leaves nothing behind.
    expectError([&] {
      nn::writeEnsembleFolder({root / "a", root / "b"}, root / "failed", json::object(),
                              [](nn::Model&) -> json { throw Error("fit", "cancelled"); });
    }, "cancelled");
    QVERIFY(!fs::exists(root / "failed"));
  }

  void badEnsembleCardsNameTheFile() {
    const fs::path root = test::freshTempDir("ensemble-bad");
    nn::saveModel(tinyAvol(1), root / "a");
    nn::writeEnsembleFolder({root / "a"}, root / "ens", json::object());
    QVERIFY(nn::avolNet(nn::loadModel(root / "ens", "cpu")));  // one member is a valid ensemble
    const fs::path cardPath = root / "ens" / "card.json";
    const json good = json::parse(readFile(cardPath));
    const auto withMembers = [&](const json& members) {
      json c = good;
      c["ensemble"]["members"] = members;
      writeFileAtomically(cardPath, c.dump());
    };
    withMembers(json{"../a"});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "leaves the folder");
    withMembers(json{(root / "a").string()});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "not a path inside the folder");
    withMembers(json::array());
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "non-empty list");
    withMembers(json{42});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "card.json");
    withMembers(json{"members/nope"});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "nope");
    // The folder itself as its member: refused, not an endless recursion.
    withMembers(json{"."});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "ensembles do not nest");
    // A member of another architecture.
    torch::manual_seed(1);
    nn::saveModel(nn::makeModel({nn::Arch::Ave, 4, 16}), root / "ens" / "members" / "ave");
    withMembers(json{"members/1-a", "members/ave"});
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "must be AVOL-Nets");
    // Weights that do not fit the members, or only half of a combination.
    const auto withCombination = [&](const json& weights, const json& bias) {
      json c = good;
      if (!weights.is_null()) c["ensemble"]["weights"] = weights;
      if (!bias.is_null()) c["ensemble"]["bias"] = bias;
      writeFileAtomically(cardPath, c.dump());
    };
    withCombination(json{1.0, 2.0}, 0.0);
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "2 combination weights for 1 members");
    withCombination(json{-1.0}, 0.0);
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "negative");
    withCombination(json{"x"}, 0.0);
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "not a number");
    withCombination(json{1.0}, nullptr);
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "both or neither");
    withCombination(json::array(), 0.0);
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "empty");
    withCombination(json{0.5}, 0.25);
    QVERIFY(nn::avolNet(nn::loadModel(root / "ens", "cpu")));
    // A damaged member's weights: the error names that member's file.
    withMembers(good["ensemble"]["members"]);
    writeFileAtomically(root / "ens" / "members" / "1-a" / "audio.safetensors", "garbage");
    expectError([&] { nn::loadModel(root / "ens", "cpu"); }, "1-a");

    // Writing: an AVE-Net member is refused and nothing is written.
    expectError([&] { nn::writeEnsembleFolder({root / "ens" / "members" / "ave"}, root / "out", json::object()); },
                "must be AVOL-Nets");
    QVERIFY(!fs::exists(root / "out"));
    expectError([&] { nn::writeEnsembleFolder({root / "missing"}, root / "out", json::object()); }, "missing");
    expectError([&] { nn::writeEnsembleFolder({root / "ens"}, root / "out", json::object()); }, "ensembles do not nest");
    QVERIFY(!fs::exists(root / "out"));
  }
};
SOUNDSPOT_TEST(TestAvolEnsemble)
#include "test_avol_ensemble.moc"
