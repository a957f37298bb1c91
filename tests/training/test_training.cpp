// Trainer: learning-rate schedule, contrastive masking on a hand-made case,
// exact resume, a tiny AVOL-Net that learns a real correspondence, and
// distillation from a teacher.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/nn/L3Net.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"
#include "tests/training/SyntheticAvSource.h"
#include "tests/training/TinyTrainOptions.h"
#include "training/LearningRateSchedule.h"
#include "training/Objectives.h"
#include "training/Trainer.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

std::vector<double> lossesOf(const fs::path& out) {
  std::vector<double> losses;
  std::ifstream in(out / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) losses.push_back(nlohmann::json::parse(line)["loss"].get<double>());
  return losses;
}

}  // namespace

class TestTraining : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(2); }

  void learningRateSchedule() {
    training::LearningRateSchedule s;
    s.base = 1e-4;
    // 10 steps per epoch: epochs 0..15 at the base rate, 16..31 at 94 %.
    QCOMPARE(s.at(0, 10), 1e-4);
    QCOMPARE(s.at(159, 10), 1e-4);
    QVERIFY(std::abs(s.at(160, 10) - 0.94e-4) < 1e-12);
    QVERIFY(std::abs(s.at(329, 10) - 0.94 * 0.94e-4) < 1e-12);
    s.warmupSteps = 4;
    QVERIFY(std::abs(s.at(0, 10) - 0.25e-4) < 1e-12);
    QVERIFY(std::abs(s.at(3, 10) - 1e-4) < 1e-12);
  }

  void contrastiveMasking() {
    // Frames 0 and 1 have audio from the same recording (identity 5): the
    // pair (0,1) and (1,0) must not count as negatives.
    const auto sim = torch::tensor({{0.9f, 0.8f, 0.1f}, {0.7f, 0.6f, 0.2f}, {0.3f, 0.4f, 0.5f}});
    const auto ids = torch::tensor({5, 5, 9}, torch::kLong);
    const double t = 0.07;
    // Reference by hand: row/column softmax over the unmasked entries.
    auto ce = [&](std::vector<std::pair<int, int>> entries, int pos) {
      double denom = 0;
      for (auto [r, c] : entries) denom += std::exp(sim[r][c].item<double>() / t);
      const auto [pr, pc] = entries[pos];
      return -(sim[pr][pc].item<double>() / t - std::log(denom));
    };
    const double rows = ce({{0, 0}, {0, 2}}, 0) + ce({{1, 1}, {1, 2}}, 0) + ce({{2, 0}, {2, 1}, {2, 2}}, 2);
    const double cols = ce({{0, 0}, {2, 0}}, 0) + ce({{1, 1}, {2, 1}}, 0) + ce({{0, 2}, {1, 2}, {2, 2}}, 2);
    const double expected = 0.5 * (rows / 3 + cols / 3);
    const double got = training::contrastivePairLosses(sim, ids, t).mean().item<double>();
    QVERIFY2(std::abs(got - expected) < 1e-4, (std::to_string(got) + " vs " + std::to_string(expected)).c_str());
    // Without the shared identity the loss is different (the mask matters).
    const double unmasked = training::contrastivePairLosses(sim, torch::tensor({1, 2, 3}, torch::kLong), t).mean().item<double>();
    QVERIFY(std::abs(unmasked - expected) > 0.1);
  }

  void similarAudioPairsAreNotNegatives() {
    // Audio 0 and 2 point the same way (two recordings of one kind of sound),
    // 1 and 3 another way; 3 and 4 are pieces of one recording.
    auto a = torch::tensor({{1.0f, 0.1f}, {0.0f, 1.0f}, {0.9f, 0.0f}, {0.2f, 1.0f}, {0.3f, 1.0f}});
    a = torch::nn::functional::normalize(a, torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto ids = torch::tensor({0, 1, 2, 3, 3}, torch::kLong);
    const auto pairs = training::similarAudioPairs(a, ids, 1);
    auto at = [&](int i, int j) { return pairs[i][j].item<bool>(); };
    QVERIFY(at(0, 2) && at(2, 0));              // each other's nearest
    QVERIFY(at(1, 3) || at(1, 4));              // 1's nearest other recording is 3 or 4
    QVERIFY(at(3, 1) && at(4, 1));              // 3 and 4: their nearest other recording is 1
    QVERIFY(!at(3, 4) && !at(4, 3));            // the same recording is not counted (masked anyway)
    QVERIFY(!at(0, 1) && !at(0, 3) && !at(2, 4));
    for (int i = 0; i < 5; ++i) QVERIFY(!at(i, i));
    QVERIFY(training::similarAudioPairs(a, ids, 0).any().item<bool>() == false);

    // The loss with those pairs excluded equals the loss where they share a recording id.
    const auto sim = torch::rand({5, 5}, torch::TensorOptions().dtype(torch::kFloat));
    const auto two = torch::tensor({{false, false, true}, {false, false, false}, {true, false, false}});
    const auto s3 = sim.slice(0, 0, 3).slice(1, 0, 3);
    const double withPairs = training::contrastivePairLosses(s3, torch::tensor({0, 1, 2}, torch::kLong), 0.1, two).mean().item<double>();
    const double sameId = training::contrastivePairLosses(s3, torch::tensor({0, 1, 0}, torch::kLong), 0.1).mean().item<double>();
    const double plain = training::contrastivePairLosses(s3, torch::tensor({0, 1, 2}, torch::kLong), 0.1).mean().item<double>();
    QVERIFY2(std::abs(withPairs - sameId) < 1e-6, (std::to_string(withPairs) + " vs " + std::to_string(sameId)).c_str());
    QVERIFY(std::abs(withPairs - plain) > 1e-4);
  }

  void hardestPairsAreLeftOut() {
    // Pair 2's audio is no frame's: it has the highest loss and is the one dropped.
    const auto sim = torch::tensor({{0.9f, 0.1f, 0.2f, 0.0f}, {0.1f, 0.8f, 0.1f, 0.2f}, {0.6f, 0.5f, 0.1f, 0.4f},
                                    {0.0f, 0.2f, 0.1f, 0.9f}});
    const auto ids = torch::tensor({0, 1, 2, 3}, torch::kLong);
    const auto perPair = training::contrastivePairLosses(sim, ids, 0.1);
    QCOMPARE(perPair.size(0), 4);
    QCOMPARE(perPair.argmax().item<int64_t>(), int64_t(2));
    torch::Tensor dropped;
    const double kept = training::meanWithoutHighest(perPair, 0.25, &dropped).item<double>();
    QCOMPARE(dropped.nonzero().flatten().item<int64_t>(), int64_t(2));
    const double expected = (perPair[0].item<double>() + perPair[1].item<double>() + perPair[3].item<double>()) / 3;
    QVERIFY2(std::abs(kept - expected) < 1e-6, (std::to_string(kept) + " vs " + std::to_string(expected)).c_str());
    // Nothing dropped at 0, never all of them, and the gradient skips the dropped pair.
    QVERIFY(std::abs(training::meanWithoutHighest(perPair, 0).item<double>() - perPair.mean().item<double>()) < 1e-7);
    training::meanWithoutHighest(perPair, 0.99, &dropped);
    QCOMPARE(dropped.sum().item<int64_t>(), int64_t(3));
    const auto leaf = sim.clone().requires_grad_(true);
    training::meanWithoutHighest(training::contrastivePairLosses(leaf, ids, 0.1), 0.25).backward();
    QVERIFY(leaf.grad()[2][2].item<float>() == 0.f);  // the dropped positive gets no push
    QVERIFY(leaf.grad()[0][0].item<float>() < 0.f);
  }

  void resumeReproducesTheNextLoss() {
    const auto root = test::freshTempDir("train");
    {
      test::SyntheticAvSource src(3);
      training::Trainer full(test::tinyTrainOptions(root / "full", 4, 8), src);
      full.run();
    }
    {
      test::SyntheticAvSource src(3);
      training::Trainer first(test::tinyTrainOptions(root / "split", 2, 8), src);
      first.run();
    }
    auto opts = test::tinyTrainOptions(root / "split", 4, 8);
    opts.resume = true;
    test::SyntheticAvSource src(3);
    training::Trainer resumed(opts, src);
    QCOMPARE(resumed.step(), int64_t{2});
    resumed.run();
    const auto a = lossesOf(root / "full"), b = lossesOf(root / "split");
    QCOMPARE(a.size(), size_t{4});
    QCOMPARE(b.size(), size_t{4});
    QCOMPARE(b[2], a[2]);  // bit-exact
    QCOMPARE(b[3], a[3]);
    QVERIFY(fs::exists(root / "split" / "card.json"));
  }

  void weightAverageFollowsEachStep() {
    // After every optimizer step: average <- d·average + (1 - d)·weights, over
    // the parameters and the BatchNorm statistics (d = 0.1 here: below the
    // ramp's (1 + step)/(10 + step), so d itself).
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource src(5);
    auto opts = test::tinyTrainOptions(root / "avg", 10, 8);
    opts.weightAverageDecay = 0.1;
    training::Trainer trainer(opts, src);
    auto ownTensors = [&] {
      std::vector<torch::Tensor> own;
      for (const auto& p : trainer.model().module()->parameters(true)) own.push_back(p.detach().clone());
      for (const auto& b : trainer.model().module()->buffers(true))
        if (b.is_floating_point()) own.push_back(b.detach().clone());
      return own;
    };
    std::vector<torch::Tensor> expected = ownTensors();
    QCOMPARE(trainer.averagedWeights().size(), expected.size());
    for (int step = 0; step < 3; ++step) {
      trainer.trainStep();
      const auto own = ownTensors();
      for (size_t i = 0; i < own.size(); ++i) expected[i] = 0.1 * expected[i] + 0.9 * own[i];
    }
    const auto own = ownTensors();
    double apart = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      QVERIFY2(torch::allclose(trainer.averagedWeights()[i], expected[i], 1e-5, 1e-6), std::to_string(i).c_str());
      apart = std::max(apart, (trainer.averagedWeights()[i] - own[i]).abs().max().item<double>());
    }
    QVERIFY2(apart > 1e-4, std::to_string(apart).c_str());  // the average is not the last step's weights
  }

  void weightAverageIsSavedAndResumes() {
    // The model saved is the average; the checkpoint keeps the trained weights
    // and the averages, so a resumed run saves the same model as one run.
    const auto root = test::freshTempDir("train");
    auto options = [&](const char* name, int64_t steps) {
      auto o = test::tinyTrainOptions(root / name, steps, 8);
      o.weightAverageDecay = 0.5;
      return o;
    };
    {
      test::SyntheticAvSource src(3);
      training::Trainer full(options("full", 6), src);
      full.run();
    }
    {
      test::SyntheticAvSource src(3);
      training::Trainer first(options("split", 3), src);
      first.run();
    }
    auto resumeOpts = options("split", 6);
    resumeOpts.resume = true;
    test::SyntheticAvSource src(3);
    training::Trainer resumed(resumeOpts, src);
    resumed.run();
    const auto full = nn::loadModel(root / "full", "cpu"), split = nn::loadModel(root / "split", "cpu");
    const auto raw = nn::loadModel(training::Trainer::checkpointDir(root / "full") / "model", "cpu");
    QCOMPARE(full.card.at("recipe").at("weight_average_decay").get<double>(), 0.5);
    auto a = full.module()->named_parameters(true), b = split.module()->named_parameters(true), r = raw.module()->named_parameters(true);
    double apart = 0;
    for (const auto& p : a) {
      QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
      apart = std::max(apart, (p.value() - r[p.key()]).abs().max().item<double>());
    }
    QVERIFY2(apart > 1e-4, std::to_string(apart).c_str());  // saved: the average, not the trained weights
    QVERIFY(fs::exists(training::Trainer::checkpointDir(root / "full") / "averaged.pt"));
    QCOMPARE(split.card.at("recipe").at("weight_average_since_step").get<int64_t>(), int64_t{0});
    // Averaging added on a --resume starts there, and the card says so.
    {
      test::SyntheticAvSource plainSrc(3);
      auto plain = test::tinyTrainOptions(root / "added", 3, 8);
      training::Trainer(plain, plainSrc).run();
    }
    auto added = options("added", 5);
    added.resume = true;
    test::SyntheticAvSource addedSrc(3);
    training::Trainer(added, addedSrc).run();
    QCOMPARE(nn::loadModel(root / "added", "cpu").card.at("recipe").at("weight_average_since_step").get<int64_t>(), int64_t{3});
  }

  void tinyAvolLearnsTheCorrespondence() {
    // The paper's AVC objective with unit-length embeddings (the raw scalar
    // product sits in a saddle at zero for hundreds of steps on this task)
    // and the paper's learning rate.
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(11), val(12);
    auto opts = test::tinyTrainOptions(root / "m", 200, 8);
    opts.net.similarity = nn::Similarity::Cosine;
    opts.schedule.base = 1e-4;
    opts.batchSize = 32;
    opts.valBatches = 4;
    training::Trainer trainer(opts, train, &val);
    const double before = trainer.validate(val, 4);
    const auto result = trainer.run();
    QVERIFY(result.valAccuracy.has_value());
    qInfo("AVC accuracy: %.3f before, %.3f after %lld steps", before, *result.valAccuracy, static_cast<long long>(result.steps));
    QVERIFY2(*result.valAccuracy > 0.75, std::to_string(*result.valAccuracy).c_str());
    const auto loaded = nn::loadModel(root / "m", "cpu");
    QVERIFY(nn::avolNet(loaded));
    QVERIFY(loaded.config.similarity == nn::Similarity::Cosine);
  }

  void contrastiveAvolGetsACalibratedMap() {
    // Contrastive training leaves the calibration alone; the trainer fits it
    // afterwards so that the model's own decision (logit > 0) is right.
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(31), val(32);
    auto opts = test::tinyTrainOptions(root / "c", 150, 8);
    opts.loss.objective = training::Objective::Contrastive;
    opts.net.similarity = nn::Similarity::Cosine;
    opts.batchSize = 16;
    training::Trainer trainer(opts, train, &val);
    trainer.run();
    const auto loaded = nn::loadModel(root / "c", "cpu");
    const auto& calibration = loaded.card.at("recipe").at("calibration");
    qInfo("fitted calibration %.2f s %+.2f, AVC accuracy %.3f", calibration.at("a").get<double>(),
          calibration.at("b").get<double>(), calibration.at("avc_accuracy").get<double>());
    QVERIFY(calibration.at("a").get<double>() > 0);
    QVERIFY(nn::avolNet(loaded)->calibration->weight.item<float>() == calibration.at("a").get<float>());
    // Fresh pairs, decided by the saved model alone.
    test::SyntheticAvSource fresh(33);
    auto check = test::tinyTrainOptions(root / "check", 1, 8);
    check.loss.objective = training::Objective::Avc;
    check.net.similarity = nn::Similarity::Cosine;
    check.initFrom = root / "c";
    training::Trainer judge(check, fresh);
    const double accuracy = judge.validate(fresh, 4);
    QVERIFY2(accuracy > 0.75, std::to_string(accuracy).c_str());
  }

  void droppedPairsAreTheOffscreenOnes() {
    // A quarter of the positives show nothing that makes their sound. Once
    // the towers learned the rest, the hardest pairs the loss leaves out
    // should be mostly those (the metrics' diagnostic, from the boxes).
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(51, 0.25);
    auto opts = test::tinyTrainOptions(root / "d", 150, 16);
    opts.loss.objective = training::Objective::Contrastive;
    opts.loss.dropHardest = 0.25;
    opts.net.similarity = nn::Similarity::Cosine;
    training::Trainer trainer(opts, train);
    trainer.run();
    std::ifstream in(root / "d" / "metrics.jsonl");
    std::string line;
    double dropped = 0, offscreen = 0;
    int count = 0, step = 0;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      if (!j.contains("step") || ++step <= 100) continue;
      dropped += j.at("dropped_offscreen").get<double>();
      offscreen += j.at("offscreen").get<double>();
      ++count;
    }
    QVERIFY(count > 0);
    dropped /= count;
    offscreen /= count;
    qInfo("last %d steps: %.2f of the pairs off-screen, %.2f of the dropped ones", count, offscreen, dropped);
    QVERIFY(offscreen > 0.15 && offscreen < 0.35);
    QVERIFY2(dropped > 0.6, std::to_string(dropped).c_str());
    QCOMPARE(nn::loadModel(root / "d", "cpu").card.at("recipe").at("drop_hardest_pairs").get<double>(), 0.25);
  }

  void dropFractionRampsUp() {
    QCOMPARE(training::dropHardestFractionAt(0.25, 0, 0), 0.25);
    QCOMPARE(training::dropHardestFractionAt(0.25, 100, 0), 0.0);
    QCOMPARE(training::dropHardestFractionAt(0.25, 100, 50), 0.125);
    QCOMPARE(training::dropHardestFractionAt(0.25, 100, 100), 0.25);
    QCOMPARE(training::dropHardestFractionAt(0.25, 100, 5000), 0.25);
    // In a run: nothing is left out at the first step, pairs are from the
    // ramp's middle on, and the card records the ramp.
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(52, 0.25);
    auto opts = test::tinyTrainOptions(root / "r", 8, 16);
    opts.loss.objective = training::Objective::Contrastive;
    opts.loss.dropHardest = 0.25;
    opts.dropHardestRampSteps = 8;
    opts.net.similarity = nn::Similarity::Cosine;
    training::Trainer trainer(opts, train);
    trainer.run();
    std::ifstream in(root / "r" / "metrics.jsonl");
    std::string line;
    std::vector<bool> droppedAtStep;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j.contains("train_acc")) droppedAtStep.push_back(j.contains("dropped_offscreen"));
    }
    QCOMPARE(droppedAtStep.size(), size_t(8));
    QVERIFY(!droppedAtStep.front());  // fraction 0
    QVERIFY(droppedAtStep.back());    // 0.25 * 7 / 8 of 16 pairs: 4 left out
    QCOMPARE(nn::loadModel(root / "r", "cpu").card.at("recipe").at("drop_hardest_ramp_steps").get<int64_t>(), int64_t(8));
  }

  void distillationPullsTowardsTheTeacher() {
    // B x B x P cosines: a student equal to its teacher has nothing to
    // learn; any other has, and its gradient steps close the gap.
    torch::manual_seed(3);
    const auto teacher = torch::rand({4, 4, 6}) * 2 - 1;
    const auto ids = torch::tensor({0, 0, 1, 2});  // frames 0 and 1 hold pieces of one recording
    const auto same = training::distillationPairLosses(teacher.clone(), teacher, ids, 0.1);
    QCOMPARE(same.sizes().vec(), (std::vector<int64_t>{4}));
    QVERIFY2(same.abs().max().item<double>() < 1e-5, std::to_string(same.abs().max().item<double>()).c_str());
    auto student = (torch::rand({4, 4, 6}) * 2 - 1).requires_grad_();
    const auto before = training::distillationPairLosses(student, teacher, ids, 0.1);
    QVERIFY((before > 0).all().item<bool>());
    // The pieces of one recording are not told apart, as in contrastivePairLosses.
    {
      torch::NoGradGuard noGrad;
      auto moved = student.detach().clone();
      moved.select(0, 0).select(0, 1).add_(5);
      QVERIFY(torch::allclose(training::distillationPairLosses(moved, teacher, ids, 0.1), before, 1e-5, 1e-6));
    }
    torch::optim::SGD sgd({student}, 0.05);
    for (int i = 0; i < 300; ++i) {
      sgd.zero_grad();
      training::distillationPairLosses(student, teacher, ids, 0.1).mean().backward();
      sgd.step();
    }
    const double after = training::distillationPairLosses(student, teacher, ids, 0.1).mean().item<double>();
    qInfo("distillation loss %.4f -> %.4f", before.mean().item<double>(), after);
    QVERIFY(after < 0.1 * before.mean().item<double>());
  }

  void distilledAvolNamesItsTeacher() {
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource teacherData(61), studentData(62);  // studentData: the refusals below
    auto teach = test::tinyTrainOptions(root / "teacher", 60, 16, nn::Arch::Avol, training::Objective::Contrastive);
    teach.net.similarity = nn::Similarity::Cosine;
    training::Trainer(teach, teacherData).run();

    // The same student with a negligible weight: the term is measured, not learnt.
    auto distilTerms = [&](const fs::path& out, double weight) {
      auto opts = test::tinyTrainOptions(out, 40, 16, nn::Arch::Avol, training::Objective::Contrastive);
      opts.net.similarity = nn::Similarity::Cosine;
      opts.teacherFrom = root / "teacher";
      opts.loss.distillWeight = weight;
      test::SyntheticAvSource studentData(62);
      training::Trainer(opts, studentData).run();
      std::vector<double> terms;
      std::ifstream in(out / "metrics.jsonl");
      for (std::string line; std::getline(in, line);)
        if (const auto j = nlohmann::json::parse(line); j.contains("distillation")) terms.push_back(j["distillation"].get<double>());
      return terms;
    };
    const auto distilled = distilTerms(root / "student", 2), control = distilTerms(root / "control", 1e-9);
    const auto recipe = nn::loadModel(root / "student", "cpu").card.at("recipe");
    QCOMPARE(recipe.at("teacher").at("path").get<std::string>(), fs::absolute(root / "teacher").lexically_normal().string());
    QCOMPARE(recipe.at("teacher").at("distill_weight").get<double>(), 2.0);
    QCOMPARE(distilled.size(), size_t(40));
    auto lastFive = [](const std::vector<double>& t) { return (t[35] + t[36] + t[37] + t[38] + t[39]) / 5; };
    qInfo("distillation term over the last 5 steps: %.4f distilled, %.4f without its weight (first step %.4f)", lastFive(distilled),
          lastFive(control), distilled[0]);
    QVERIFY(lastFive(distilled) < 0.5 * lastFive(control));
    // Resumed, a distillation keeps its teacher and a plain run gets none.
    for (const auto& [run, teacher] : {std::pair{root / "student", fs::path()}, std::pair{root / "teacher", root / "student"}}) {
      auto again = test::tinyTrainOptions(run, 41, 16, nn::Arch::Avol, training::Objective::Contrastive);
      again.net.similarity = nn::Similarity::Cosine;
      again.resume = true;
      again.teacherFrom = teacher;
      again.loss.distillWeight = 1;
      try {
        training::Trainer t(again, teacherData);
        QFAIL("a resume that changes the teacher was accepted");
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("teacher") != std::string::npos, e.what());
      }
    }

    // Refused: a teacher that is not an AVOL-Net, a student that is not a
    // contrastive AVOL-Net, a weight that is not positive.
    auto ave = test::tinyTrainOptions(root / "ave", 1, 8, nn::Arch::Ave, training::Objective::Contrastive);
    training::Trainer(ave, teacherData).run();
    auto opts = test::tinyTrainOptions(root / "x", 1, 16, nn::Arch::Avol, training::Objective::Contrastive);
    opts.teacherFrom = root / "teacher";
    opts.loss.distillWeight = 1;
    auto wrongTeacher = opts;
    wrongTeacher.teacherFrom = root / "ave";
    try {
      training::Trainer t(wrongTeacher, studentData);
      QFAIL("an AVE-Net teacher was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find((root / "ave").string()) != std::string::npos, e.what());
    }
    auto avc = opts;
    avc.loss.objective = training::Objective::Avc;
    QVERIFY_THROWS_EXCEPTION(UsageError, training::loadTeacher(root / "teacher", avc));
    auto zero = opts;
    zero.loss.distillWeight = 0;
    QVERIFY_THROWS_EXCEPTION(UsageError, training::loadTeacher(root / "teacher", zero));
    auto belowZero = opts;
    belowZero.loss.distillTemperature = -0.1;
    QVERIFY_THROWS_EXCEPTION(UsageError, training::loadTeacher(root / "teacher", belowZero));
    QVERIFY(!fs::exists(root / "x"));

    // A distillation temperature of its own is recorded; 0 means the
    // contrastive temperature (the same first term as giving it explicitly:
    // same student, teacher and batch), and another one changes the term.
    auto firstTerm = [&](const fs::path& out, double distillTemperature) {
      auto o = test::tinyTrainOptions(out, 1, 16, nn::Arch::Avol, training::Objective::Contrastive);
      o.net.similarity = nn::Similarity::Cosine;
      o.teacherFrom = root / "teacher";
      o.loss.distillWeight = 1;
      o.loss.distillTemperature = distillTemperature;
      test::SyntheticAvSource data(62);
      training::Trainer(o, data).run();
      std::ifstream in(out / "metrics.jsonl");
      for (std::string line; std::getline(in, line);)
        if (const auto j = nlohmann::json::parse(line); j.contains("distillation")) return j["distillation"].get<double>();
      return -1.0;
    };
    const double atContrastive = firstTerm(root / "t-default", 0), explicitly = firstTerm(root / "t-same", 0.07),
                 warm = firstTerm(root / "t-warm", 0.2);
    qInfo("first distillation term: %.4f at the contrastive temperature, %.4f at 0.2 (times (0.2 / 0.07)^2)", atContrastive, warm);
    QVERIFY(atContrastive > 0 && warm > 0);
    QCOMPARE(explicitly, atContrastive);
    QVERIFY(std::abs(warm - atContrastive) > 1e-3 * atContrastive);
    QCOMPARE(nn::loadModel(root / "t-warm", "cpu").card.at("recipe").at("teacher").at("distill_temperature").get<double>(), 0.2);
    QVERIFY(!nn::loadModel(root / "t-default", "cpu").card.at("recipe").at("teacher").contains("distill_temperature"));
    // A resume keeps the temperature it was distilled at.
    auto colder = test::tinyTrainOptions(root / "t-warm", 2, 16, nn::Arch::Avol, training::Objective::Contrastive);
    colder.net.similarity = nn::Similarity::Cosine;
    colder.resume = true;
    colder.teacherFrom = root / "teacher";
    colder.loss.distillWeight = 1;
    try {
      test::SyntheticAvSource data(62);
      training::Trainer t(colder, data);
      QFAIL("a resume at another distillation temperature was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("--distill-temperature 0.2") != std::string::npos, e.what());
    }
  }

  void contrastiveAveGetsAFittedDistanceHead() {
    // The contrastive loss trains the embeddings only; the trainer then fits
    // the distance -> FC head so that AVE-Net's own AVC decision is right.
    const auto [head, accuracy] = trainContrastivelyAndJudge(nn::Arch::Ave, 41, "distance_head");
    QVERIFY(head.at("a").get<double>() < 0);  // farther apart never reads as a better match
    QVERIFY2(accuracy > 0.75, std::to_string(accuracy).c_str());
  }

  void contrastiveTrainsAve() {
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(21);
    auto opts = test::tinyTrainOptions(root / "c", 3, 8);
    opts.net.arch = nn::Arch::Ave;
    opts.loss.objective = training::Objective::Contrastive;
    // The card says whether bf16 autocast (SOUNDSPOT_CPU_BF16=1) made the numbers.
    for (const bool bf16 : {false, true}) {
      if (bf16) qputenv("SOUNDSPOT_CPU_BF16", "1");
      else qunsetenv("SOUNDSPOT_CPU_BF16");
      opts.out = root / (bf16 ? "bf16" : "fp32");
      training::Trainer trainer(opts, train);
      const auto r = trainer.run();
      QVERIFY(std::isfinite(r.loss));
      QCOMPARE(nn::loadModel(opts.out, "cpu").card.at("recipe").at("autocast").get<std::string>(), std::string(bf16 ? "bf16" : "off"));
    }
    qunsetenv("SOUNDSPOT_CPU_BF16");
  }

  void l3PairScoresMatchItsForwardPass() {
    // The B x B scores of the contrastive objective are the head's own
    // decisions on every (frame, audio) pair, not an approximation.
    torch::manual_seed(5);
    nn::L3Net l3(4, 16, nn::Tower::Compact);
    l3->eval();
    torch::NoGradGuard noGrad;
    const auto images = torch::randn({3, 3, 224, 224});
    const auto spectrograms = torch::randn({3, 1, 257, 200});
    const auto all = l3->pairScores(l3->imageFeatures(images), l3->audioFeatures(spectrograms));
    QCOMPARE(all.sizes().vec(), (std::vector<int64_t>{3, 3}));
    for (int64_t j = 0; j < 3; ++j) {
      const auto logits = l3->forward(images, spectrograms.select(0, j).unsqueeze(0).expand({3, 1, 257, 200}));
      QVERIFY(torch::allclose(all.select(1, j), logits.select(1, 1) - logits.select(1, 0), 1e-4, 1e-5));
    }
  }

  void contrastiveL3GetsAFittedHead() {
    // L3-Net trained on the contrastive objective: its head ranks pairs; the
    // trainer then refits the last layer so that its AVC decision is right.
    const auto [head, accuracy] = trainContrastivelyAndJudge(nn::Arch::L3, 51, "l3_head");
    QVERIFY(head.at("a").get<double>() > 0);  // a higher score never reads as a worse match
    QVERIFY2(accuracy > 0.75, std::to_string(accuracy).c_str());
  }

 private:
  // Trains `arch` contrastively for 60 steps on the synthetic task (sources
  // seeded seed, seed + 1). Returns the fitted head (the card recipe's entry
  // `cardKey`) and the AVC accuracy of the saved model's own decision on
  // fresh pairs (seed + 2).
  static std::pair<nlohmann::json, double> trainContrastivelyAndJudge(nn::Arch arch, uint64_t seed, const std::string& cardKey) {
    const auto root = test::freshTempDir("train");
    test::SyntheticAvSource train(seed), val(seed + 1);
    auto opts = test::tinyTrainOptions(root / "model", 60, 8, arch, training::Objective::Contrastive);
    opts.batchSize = 16;
    training::Trainer trainer(opts, train, &val);
    trainer.run();
    const auto head = nn::loadModel(root / "model", "cpu").card.at("recipe").at(cardKey);
    qInfo("fitted head %.2f x %+.2f, AVC accuracy %.3f", head.at("a").get<double>(), head.at("b").get<double>(),
          head.at("avc_accuracy").get<double>());
    test::SyntheticAvSource fresh(seed + 2);
    auto check = test::tinyTrainOptions(root / "check", 1, 8, arch, training::Objective::Avc);
    check.initFrom = root / "model";
    training::Trainer judge(check, fresh);
    return {head, judge.validate(fresh, 4)};
  }
};

SOUNDSPOT_TEST(TestTraining)
#include "test_training.moc"
