// Data-parallel training on one machine, Gloo over loopback, the ranks as
// threads of this process (each with its own store client, process group
// and model, exactly as separate processes would have).
#include "core/common/Error.h"
#include "core/common/FreePort.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"
#include "tests/training/SyntheticAvSource.h"
#include "tests/training/TinyTrainOptions.h"
#include "training/Distributed.h"
#include "training/Trainer.h"

#include <QtTest/QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

training::DistributedEnv envFor(int port, int rank, int world, int timeoutSeconds = 30) {
  training::DistributedEnv e;
  e.masterAddr = "127.0.0.1";
  e.masterPort = port;
  e.rank = rank;
  e.worldSize = world;
  e.timeout = std::chrono::seconds(timeoutSeconds);
  return e;
}

// All ranks of a group, joined concurrently (each constructor waits for the others).
std::vector<std::shared_ptr<training::Distributed>> makeGroup(int world, int timeoutSeconds = 30) {
  const int port = freeLoopbackPort();
  std::vector<std::future<std::shared_ptr<training::Distributed>>> joins;
  for (int r = 0; r < world; ++r)
    joins.push_back(std::async(std::launch::async, [=] {
      return std::make_shared<training::Distributed>(envFor(port, r, world, timeoutSeconds));
    }));
  std::vector<std::shared_ptr<training::Distributed>> group;
  for (auto& j : joins) group.push_back(j.get());
  return group;
}

// Training mode with BatchNorm in eval mode: per-rank BatchNorm normalises
// each rank's half with its own statistics, so only with fixed statistics
// is "2 x B" the same computation as "1 x 2B" (the design keeps BatchNorm
// per rank, see TrainOptions::distributed).
void trainModeWithFixedBatchNorm(const nn::Model& model) {
  model.module()->train();
  for (auto& m : model.module()->modules(false))
    if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get()) || dynamic_cast<torch::nn::BatchNorm1dImpl*>(m.get())) m->eval();
}

data::AvcBatch rows(const data::AvcBatch& b, int64_t from, int64_t to) {
  data::AvcBatch s;
  s.images = b.images.slice(0, from, to);
  s.spectrograms = b.spectrograms.slice(0, from, to);
  s.corresponds = b.corresponds.slice(0, from, to);
  s.audioIdentity = b.audioIdentity.slice(0, from, to);
  return s;
}

std::vector<torch::Tensor> gradients(const nn::Model& model) {
  std::vector<torch::Tensor> g;
  for (auto& p : model.module()->parameters(true)) g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  return g;
}

// 2 ranks x B pairs against 1 process x 2B on the same pairs: the averaged
// gradients must match the big batch's within float tolerance, with one flat
// all-reduce or with DDP's buckets (small ones here: several per model).
void compareGradients(nn::Arch arch, training::Objective objective, bool bucketed = false) {
  const auto root = test::freshTempDir("dist");
  const auto mode = objective == training::Objective::Avc ? data::PairMode::Avc : data::PairMode::PositivesOnly;
  test::SyntheticAvSource make(5);
  const auto batch = make.next(8, mode);
  auto group = makeGroup(2);
  test::SyntheticAvSource unused(1);
  std::vector<std::unique_ptr<training::Trainer>> ranks(2);
  std::vector<std::vector<torch::Tensor>> rankGrads(2);
  std::vector<double> rankLoss(2);
  {
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r] {
        auto o = test::tinyTrainOptions(root / ("r" + std::to_string(r)), 3, 4, arch, objective);
        o.distributed = group[r];
        o.bucketedAllReduce = bucketed;
        o.bucketBytes = 4096;
        ranks[r] = std::make_unique<training::Trainer>(o, unused);  // broadcasts rank 0's weights
        trainModeWithFixedBatchNorm(ranks[r]->model());
        rankLoss[r] = ranks[r]->computeGradients(rows(batch, 4 * r, 4 * r + 4)).loss.item<double>();
        rankGrads[r] = gradients(ranks[r]->model());
      });
    for (auto& t : threads) t.join();
  }
  auto o = test::tinyTrainOptions(root / "one", 3, 4, arch, objective);
  o.batchSize = 8;
  training::Trainer one(o, unused);
  {
    torch::NoGradGuard noGrad;  // the very same weights as the ranks
    auto src = ranks[0]->model().module()->parameters(true);
    auto dst = one.model().module()->parameters(true);
    for (size_t i = 0; i < dst.size(); ++i) dst[i].copy_(src[i]);
  }
  trainModeWithFixedBatchNorm(one.model());
  const double loss = one.computeGradients(batch).loss.item<double>();
  const auto want = gradients(one.model());
  QVERIFY2(std::abs(rankLoss[0] - loss) < 1e-4 * std::max(1.0, std::abs(loss)),
           (std::to_string(rankLoss[0]) + " vs " + std::to_string(loss)).c_str());
  double worst = 0;
  int compared = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i].defined()) continue;
    for (int r = 0; r < 2; ++r) {
      QVERIFY(rankGrads[r][i].defined());
      const double scale = std::max(want[i].abs().max().item<double>(), 1e-6);
      worst = std::max(worst, (rankGrads[r][i] - want[i]).abs().max().item<double>() / scale);
    }
    ++compared;
  }
  qInfo("%d gradient tensors, worst relative difference %.2e (loss %.5f)", compared, worst, loss);
  QVERIFY(compared > 0);
  QVERIFY2(worst < 1e-3, std::to_string(worst).c_str());
}

// `collective` runs on rank 0 after its peer went away: it must end, well
// within the group's timeout, in an Error naming the address and the rank.
void expectPeerGoneError(const std::function<void()>& collective, const char* whatSucceeded) {
  const auto start = std::chrono::steady_clock::now();
  try {
    collective();
    QFAIL(whatSucceeded);
  } catch (const Error& e) {
    qInfo("%s", e.what());
    QVERIFY(std::string(e.what()).find("127.0.0.1") != std::string::npos);
    QVERIFY(std::string(e.what()).find("rank 0") != std::string::npos);
  }
  QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(25));
}

}  // namespace

class TestDistributed : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::set_num_threads(1); }

  void noEnvironmentMeansOneProcess() {
    qunsetenv("WORLD_SIZE");
    QVERIFY(!training::distributedEnvFromEnvironment());
    qputenv("WORLD_SIZE", "1");
    QVERIFY(!training::distributedEnvFromEnvironment());
    qputenv("WORLD_SIZE", "2");
    qunsetenv("RANK");
    QVERIFY_THROWS_EXCEPTION(Error, training::distributedEnvFromEnvironment());
    qputenv("RANK", "2");
    QVERIFY_THROWS_EXCEPTION(Error, training::distributedEnvFromEnvironment());  // rank >= world size
    qputenv("RANK", "1");
    qputenv("MASTER_PORT", "http");
    QVERIFY_THROWS_EXCEPTION(Error, training::distributedEnvFromEnvironment());
    qputenv("MASTER_PORT", "29511");
    qputenv("MASTER_ADDR", "10.1.2.3");
    const auto e = training::distributedEnvFromEnvironment();
    QVERIFY(e && e->rank == 1 && e->worldSize == 2 && e->masterPort == 29511 && e->masterAddr == "10.1.2.3");
    for (const char* v : {"WORLD_SIZE", "RANK", "MASTER_PORT", "MASTER_ADDR"}) qunsetenv(v);
  }

  void collectivesAverageGatherAndBroadcast() {
    auto group = makeGroup(2);
    std::vector<torch::Tensor> sums(2), gathered(2), bcast(2);
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r] {
        sums[r] = torch::full({3}, float(r + 1));
        group[r]->allReduceSum({sums[r]});
        auto local = torch::full({1, 2}, float(r), torch::requires_grad());
        gathered[r] = group[r]->allGather(local);
        gathered[r].sum().backward();
        QCOMPARE(local.grad().sum().item<float>(), 2.f);  // the gradient reaches the local slot
        bcast[r] = torch::full({2}, float(10 + r));
        group[r]->broadcastFromRank0({bcast[r]});
      });
    for (auto& t : threads) t.join();
    for (int r = 0; r < 2; ++r) {
      QVERIFY(torch::equal(sums[r], torch::full({3}, 3.f)));
      QVERIFY(torch::equal(gathered[r].detach(), torch::tensor({{0.f, 0.f}, {1.f, 1.f}})));
      QVERIFY(torch::equal(bcast[r], torch::full({2}, 10.f)));
    }
  }

  void twoRanksGiveTheBigBatchGradientAvc() { compareGradients(nn::Arch::Avol, training::Objective::Avc); }
  void twoRanksGiveTheBigBatchGradientContrastive() { compareGradients(nn::Arch::Ave, training::Objective::Contrastive); }
  void twoRanksGiveTheBigBatchGradientContrastiveAvol() { compareGradients(nn::Arch::Avol, training::Objective::Contrastive); }
  // Bucketed: AVC AVOL-Net uses every parameter; contrastive AVE-Net leaves
  // its distance head without a gradient (the reducer must find it unused).
  void bucketedAllReduceGivesTheBigBatchGradientAvc() { compareGradients(nn::Arch::Avol, training::Objective::Avc, true); }
  void bucketedAllReduceGivesTheBigBatchGradientContrastive() {
    compareGradients(nn::Arch::Ave, training::Objective::Contrastive, true);
  }

  void bucketedAllReduceTrainsSeveralSteps() {
    // Buckets are reused step after step; the ranks' weights stay identical.
    const auto root = test::freshTempDir("dist-steps");
    auto group = makeGroup(2);
    std::vector<std::unique_ptr<training::Trainer>> ranks(2);
    std::vector<test::SyntheticAvSource> sources{test::SyntheticAvSource(3), test::SyntheticAvSource(4)};
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r] {
        auto o = test::tinyTrainOptions(root / ("r" + std::to_string(r)), 3, 4, nn::Arch::Avol, training::Objective::Contrastive);
        o.distributed = group[r];
        o.bucketedAllReduce = true;
        o.bucketBytes = 4096;
        ranks[r] = std::make_unique<training::Trainer>(o, sources[r]);
        for (int i = 0; i < 4; ++i) ranks[r]->trainStep();
      });
    for (auto& t : threads) t.join();
    auto a = ranks[0]->model().module()->parameters(true), b = ranks[1]->model().module()->parameters(true);
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
    qInfo("after 4 bucketed steps the ranks' weights differ by at most %.2e", worst);
    QVERIFY2(worst < 1e-5, std::to_string(worst).c_str());
  }

  void deadPeerDuringBucketedBackwardIsAnError() {
    const auto root = test::freshTempDir("dist-dead");
    auto group = makeGroup(2, 20);
    std::vector<std::unique_ptr<training::Trainer>> ranks(2);
    test::SyntheticAvSource source(2);
    {
      std::vector<std::thread> threads;
      for (int r = 0; r < 2; ++r)
        threads.emplace_back([&, r] {
          auto o = test::tinyTrainOptions(root / ("r" + std::to_string(r)), 3, 4, nn::Arch::Avol, training::Objective::Avc);
          o.distributed = group[r];
          o.bucketedAllReduce = true;
          ranks[r] = std::make_unique<training::Trainer>(o, source);
        });
      for (auto& t : threads) t.join();
    }
    ranks[1].reset();
    group[1].reset();  // rank 1 dies
    test::SyntheticAvSource make(9);
    expectPeerGoneError([&] { ranks[0]->computeGradients(make.next(4, data::PairMode::Avc)); },
                        "the bucketed backward succeeded without its peer");
  }

  void deadPeerIsAnErrorNotAHang() {
    auto group = makeGroup(2, 20);
    group[1].reset();  // rank 1 goes away (its sockets close, as when its process dies)
    expectPeerGoneError([&] { group[0]->allReduceSum({torch::ones({4})}); }, "the all-reduce succeeded without its peer");
  }

  void badAddressOrPortIsAClearError() {
    // Nobody hosts the store on this port: rank 1 gives up after the timeout.
    const auto start = std::chrono::steady_clock::now();
    try {
      training::Distributed d(envFor(freeLoopbackPort(), 1, 2, 2));
      QFAIL("joined a group without a store");
    } catch (const Error& e) {
      qInfo("%s", e.what());
      QVERIFY(std::string(e.what()).find("MASTER_ADDR:MASTER_PORT") != std::string::npos);
    }
    QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    // A host name that does not resolve.
    auto bad = envFor(freeLoopbackPort(), 1, 2, 2);
    bad.masterAddr = "no-such-host.invalid";
    QVERIFY_THROWS_EXCEPTION(Error, training::Distributed{bad});
    // Rank 0 cannot host the store on a port that is taken.
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    QCOMPARE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    QCOMPARE(::listen(s, 1), 0);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    try {
      training::Distributed d(envFor(ntohs(a.sin_port), 0, 2, 2));
      QFAIL("hosted a store on a taken port");
    } catch (const Error& e) {
      qInfo("%s", e.what());
      QVERIFY(std::string(e.what()).find(std::to_string(ntohs(a.sin_port))) != std::string::npos);
    }
    ::close(s);
    QVERIFY(std::chrono::steady_clock::now() - start < std::chrono::seconds(40));
  }
};

SOUNDSPOT_TEST(TestDistributed)
#include "test_distributed.moc"
