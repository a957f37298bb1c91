// `soundspot-cli bench train`: training throughput on synthetic tensors
// (model only), end to end from a dataset/scene source when one is given,
// and inference frames/s of each network on the chosen device.
#include "app/cli/Command.h"
#include "app/cli/LocalLaunch.h"
#include "app/cli/Stopwatch.h"
#include "core/common/Error.h"
#include "core/data/DatasetSource.h"
#include "core/data/PrefetchingSource.h"
#include "core/data/SceneSource.h"
#include "core/nn/Device.h"
#include "training/Distributed.h"
#include "training/Trainer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace soundspot::cli {
namespace {

// Random tensors with the real shapes: measures the model alone.
class SyntheticBatches : public data::BatchSource {
 public:
  explicit SyntheticBatches(std::string device) : device_(std::move(device)) {}
  data::AvcBatch next(int64_t b, data::PairMode) override {
    const auto o = torch::TensorOptions().device(torch::Device(device_));
    return {torch::randn({b, 3, 224, 224}, o), torch::randn({b, 1, 257, 200}, o),
            torch::arange(b, o).remainder(2).to(torch::kFloat), torch::arange(b, o.dtype(torch::kLong))};
  }
  int64_t epochSize() const override { return 1 << 20; }
  void seek(int64_t) override {}

 private:
  std::string device_;
};

struct BenchArgs {
  std::string arch = "avol", device = "auto", data, scenes, tower = "paper", objective = "avc";
  int64_t batch = 16, steps = 5;
  int width = 64, dataWorkers = 0;
  DataParallelArgs parallel;
};

void synchronize(const std::string& device) {
  if (device == "cuda") torch::cuda::synchronize();
}

double trainingSamplesPerSecond(training::TrainOptions opt, data::BatchSource& source) {
  training::Trainer trainer(opt, source);
  trainer.trainStep();  // warm-up: allocations, kernel selection
  synchronize(opt.device);
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < opt.steps; ++i) trainer.trainStep();
  synchronize(opt.device);
  return opt.steps * opt.batchSize / secondsSince(start);
}

double inferenceFramesPerSecond(nn::Arch arch, int width, nn::Tower tower, const std::string& device, int64_t batch, int repeats) {
  torch::NoGradGuard noGrad;
  nn::NetConfig config{arch, width, 128};
  config.tower = tower;
  auto model = nn::makeModel(config);
  model.module()->to(torch::Device(device));
  model.module()->eval();
  const auto o = torch::TensorOptions().device(torch::Device(device));
  const auto img = torch::randn({batch, 3, 224, 224}, o), spec = torch::randn({batch, 1, 257, 200}, o);
  auto once = [&] {
    if (model.avol) model.avol->forward(img, spec);
    else if (model.ave) model.ave->forward(img, spec);
    else model.l3->forward(img, spec);
  };
  once();
  synchronize(device);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) once();
  synchronize(device);
  return repeats * batch / secondsSince(start);
}

// One rank of `bench train --nproc N`: model-only training samples/s of each
// rank while all train together, against one process with the same threads
// (rank 0 alone, measured first while the others wait). Scaling efficiency:
// total samples/s of the group over N times that one process's.
void runDistributedBench(training::TrainOptions opt, training::Distributed& dist) {
  SyntheticBatches synthetic(opt.device);
  double alone = 0;
  if (dist.rank() == 0) alone = trainingSamplesPerSecond(opt, synthetic);
  dist.barrier();
  auto shared = std::shared_ptr<training::Distributed>(&dist, [](training::Distributed*) {});
  opt.distributed = shared;
  std::vector<double> perRank(dist.worldSize(), 0.0);
  perRank[dist.rank()] = trainingSamplesPerSecond(opt, synthetic);
  auto t = torch::tensor(perRank, torch::kDouble).to(torch::kFloat);
  dist.allReduceSum({t});
  if (dist.rank() != 0) return;
  nlohmann::json out = {{"device", opt.device}, {"arch", nn::toString(opt.net.arch)}, {"width", opt.net.width},
                        {"objective", training::toString(opt.loss.objective)}, {"batch_per_rank", opt.batchSize},
                        {"world_size", dist.worldSize()}, {"backend", dist.backend()},
                        {"threads_per_rank", torch::get_num_threads()},
                        {"allreduce", opt.bucketedAllReduce ? "bucketed" : "flat"}};
  if (opt.bucketedAllReduce) out["bucket_kb"] = opt.bucketBytes / 1024;
  double total = 0;
  nlohmann::json ranks = nlohmann::json::array();
  for (int r = 0; r < dist.worldSize(); ++r) {
    ranks.push_back(t[r].item<double>());
    total += t[r].item<double>();
  }
  out["samples_per_s_per_rank"] = ranks;
  out["samples_per_s_total"] = total;
  out["one_process_samples_per_s"] = alone;
  out["scaling_efficiency"] = total / (dist.worldSize() * alone);
  std::printf("%s\n", out.dump().c_str());
}

void runBench(const BenchArgs& a) {
  if (a.batch < 2) throw UsageError("--batch", "must be at least 2");
  if (a.steps < 1) throw UsageError("--steps", "must be at least 1");
  const std::string device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
  training::TrainOptions opt;
  opt.net = {nn::parseArch(a.arch), a.width, 128};
  opt.net.tower = nn::parseTower(a.tower);
  opt.loss.objective = training::parseObjective(a.objective);
  if (opt.loss.objective == training::Objective::Contrastive) opt.net.similarity = nn::Similarity::Cosine;
  opt.batchSize = a.batch;
  opt.steps = a.steps;
  opt.device = device;
  opt.bucketedAllReduce = training::parseAllReduce(a.parallel.allReduce);
  opt.bucketBytes = static_cast<int64_t>(a.parallel.bucketKb) * 1024;
  if (const auto env = training::distributedEnvFromEnvironment()) {
    training::Distributed dist(*env);
    runDistributedBench(opt, dist);
    return;
  }
  nlohmann::json out = {{"device", device}, {"arch", a.arch}, {"width", a.width}, {"tower", a.tower},
                        {"objective", a.objective}, {"batch", a.batch}, {"threads", torch::get_num_threads()}};
  if (device == "cpu") {
    out["cpu_autocast"] = nn::cpuBf16Requested() ? "bf16" : "off";
    out["cpu_native_bf16"] = nn::cpuHasNativeBf16();
  }
  SyntheticBatches synthetic(device);
  out["train_model_samples_per_s"] = trainingSamplesPerSecond(opt, synthetic);
  data::SourceFactory open;
  if (!a.data.empty()) open = [&a] { return data::openDatasetSource(a.data, "train", 1, data::SamplerOptions{}); };
  else if (!a.scenes.empty()) open = [&a, device] { return data::openSceneSource(a.scenes, "train", device, 1); };
  if (open) {
    // As `train` runs it: batches made on producer threads.
    const int workers = data::dataWorkers(a.dataWorkers, device);
    out["data_workers"] = workers;
    auto source = data::prefetching(open, workers);
    out["train_end_to_end_samples_per_s"] = trainingSamplesPerSecond(opt, *source);
    out["end_to_end_over_model_only"] = out["train_end_to_end_samples_per_s"].get<double>() /
                                        out["train_model_samples_per_s"].get<double>();
  }
  nlohmann::json inference = nlohmann::json::object();
  for (auto arch : {nn::Arch::Avol, nn::Arch::Ave, nn::Arch::L3})
    inference[nn::toString(arch)] = {{"batch1_frames_per_s", inferenceFramesPerSecond(arch, a.width, opt.net.tower, device, 1, 5)},
                                     {"batched_frames_per_s", inferenceFramesPerSecond(arch, a.width, opt.net.tower, device, a.batch, 2)}};
  out["inference"] = inference;
  std::printf("%s\n", out.dump().c_str());
}

CommandRegistration reg("bench-train", [](CLI::App& app) {
  auto* bench = parentCommand(app, "bench", "Measure speed");
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = bench->add_subcommand("train", "Training samples/s (model only and end to end) and inference frames/s");
  cmd->add_option("--arch", args->arch, "avol | ave | l3")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Pairs per batch")->capture_default_str();
  cmd->add_option("--steps", args->steps, "Timed training steps")->capture_default_str();
  cmd->add_option("--width", args->width, "Channels of the first conv block")->capture_default_str();
  cmd->add_option("--tower", args->tower, "paper | compact")->capture_default_str();
  cmd->add_option("--objective", args->objective, "avc | contrastive")->capture_default_str();
  cmd->add_option("--device", args->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--data-workers", args->dataWorkers, "Producer threads for the end-to-end figure (0: as train)")
      ->capture_default_str();
  cmd->add_option("--data", args->data, "Dataset folder for the end-to-end figure");
  cmd->add_option("--scenes", args->scenes, "Scene asset pack for the end-to-end figure");
  addDataParallelOptions(cmd, args->parallel,
                         "Data-parallel: N local processes (cores/N threads each) training together; reports samples/s per "
                         "rank and the scaling efficiency against one process with the same threads");
  cmd->callback([args] {
    if (runAsLocalRanks(args->parallel)) return;
    runBench(*args);
  });
});

}  // namespace
}  // namespace soundspot::cli
