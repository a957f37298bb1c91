// `soundspot-cli train`: trains AVOL-Net / AVE-Net / L3-Net on a dataset
// folder or a scene asset pack, writing a model folder (plus a resumable
// checkpoint and metrics.jsonl) and one JSON result line on stdout.
#include "app/cli/Command.h"
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/data/DatasetSource.h"
#include "core/data/PrefetchingSource.h"
#include "core/data/SceneSource.h"
#include "core/nn/Device.h"
#include "training/Trainer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace soundspot::cli {
namespace {

struct TrainArgs {
  std::string data, scenes, arch = "avol", objective = "avc", out, device = "auto", init, similarity = "auto", tower = "paper";
  int64_t steps = 1000, batch = 16, valEvery = 0, checkpointEvery = 500, warmup = 0;
  double lr = 1e-4, temperature = 0.07, timeLimit = 0, globalWeight = 0, checkpointMinutes = 10;
  int width = 64, dataWorkers = 0;
  uint64_t seed = 1;
  bool resume = false, noGridFix = false, noPrefetch = false;
};

void runTrain(const TrainArgs& a) {
  if (a.data.empty() == a.scenes.empty()) throw UsageError("train", "give exactly one of --data DATASET_DIR or --scenes PACK");
  if (a.steps < 1) throw UsageError("--steps", "must be at least 1");
  if (a.width < 1 || a.width > 256) throw UsageError("--width", "must be between 1 and 256");
  if (a.lr <= 0) throw UsageError("--lr", "must be positive");
  training::TrainOptions opt;
  opt.net.arch = nn::parseArch(a.arch);
  opt.net.width = a.width;
  opt.net.tower = nn::parseTower(a.tower);
  opt.objective = training::parseObjective(a.objective);
  // The contrastive objective trains cosines; the paper's avc the raw product.
  opt.net.similarity = a.similarity == "auto"
                           ? (opt.objective == training::Objective::Contrastive ? nn::Similarity::Cosine : nn::Similarity::Dot)
                           : nn::parseSimilarity(a.similarity);
  training::checkObjective(opt.net.arch, opt.objective);
  opt.steps = a.steps;
  opt.batchSize = a.batch;
  opt.schedule.base = a.lr;
  opt.schedule.warmupSteps = a.warmup;
  opt.device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
  opt.seed = a.seed;
  opt.valEvery = a.valEvery;
  opt.checkpointEvery = a.checkpointEvery;
  opt.out = a.out;
  opt.resume = a.resume;
  opt.initFrom = a.init;
  opt.temperature = a.temperature;
  opt.globalWeight = a.globalWeight;
  opt.checkpointSeconds = a.checkpointMinutes * 60;
  if (a.globalWeight < 0) throw UsageError("--global-weight", "must not be negative");
  opt.timeLimitSeconds = a.timeLimit;
  if (a.temperature <= 0) throw UsageError("--temperature", "must be positive");

  if (a.dataWorkers < 0) throw UsageError("--data-workers", "must not be negative");
  const int workers = a.noPrefetch ? 0 : data::dataWorkers(a.dataWorkers, opt.device);
  data::SourceFactory openTrain;
  std::unique_ptr<data::BatchSource> validation;
  if (!a.data.empty()) {
    data::SamplerOptions sampler;
    sampler.frameGridFix = !a.noGridFix;
    opt.recipe["frame_grid_fix"] = sampler.frameGridFix;
    openTrain = [&a, sampler] { return data::openDatasetSource(a.data, "train", a.seed, sampler); };
    data::SamplerOptions valSampler;
    valSampler.augment = false;
    try {
      validation = data::openDatasetSource(a.data, "val", a.seed + 1, valSampler);
    } catch (const Error& e) {
      spdlog::warn("no validation: {}", e.what());
    }
    opt.recipe["data"] = a.data;
  } else {
    const std::string device = opt.device;
    openTrain = [&a, device] { return data::openSceneSource(a.scenes, "train", device, a.seed); };
    validation = data::openSceneSource(a.scenes, "val", opt.device, a.seed + 1);
    opt.recipe["scenes"] = a.scenes;
  }

  // Scenes and spectrograms are made on producer threads while the model trains.
  std::unique_ptr<data::BatchSource> train = workers == 0 ? openTrain() : data::prefetching(openTrain, workers);
  if (workers > 1) spdlog::info("{} data producers", workers);
  training::Trainer trainer(opt, *train, validation.get());
  CancelToken cancel;
  cancelOnSignal(cancel);
  Progress progress("train " + a.arch, a.steps, Progress::terminalBar("train " + a.arch));
  progress.set(trainer.step());
  spdlog::info("training {} (width {}, {} towers, {}) on {} ({} threads) for {} steps, batch {}", a.arch, a.width, a.tower,
               a.objective, opt.device, nn::cpuThreads(), a.steps, a.batch);
  const auto result = trainer.run(&progress, &cancel);
  nlohmann::json line = {{"model", a.out},       {"arch", a.arch},
                         {"objective", a.objective}, {"steps", result.steps},
                         {"loss", result.loss},  {"train_acc", result.trainAccuracy},
                         {"samples_per_s", result.samplesPerSecond}, {"device", opt.device},
                         {"cancelled", result.cancelled}, {"time_limited", result.timeLimited}};
  if (result.valAccuracy) line["val_acc"] = *result.valAccuracy;
  if (trainer.lastValPointing()) line["val_pointing"] = *trainer.lastValPointing();
  std::printf("%s\n", line.dump().c_str());
}

CommandRegistration reg("train", [](CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train AVOL-Net / AVE-Net / L3-Net (audio-visual correspondence or contrastive)");
  cmd->add_option("--data", args->data, "Dataset folder (dataset.json)");
  cmd->add_option("--scenes", args->scenes, "Scene asset pack (synthesised scenes)");
  cmd->add_option("--arch", args->arch, "avol | ave | l3")->capture_default_str();
  cmd->add_option("--objective", args->objective, "avc | contrastive")->capture_default_str();
  cmd->add_option("--out", args->out, "Model folder to write")->required();
  cmd->add_option("--steps", args->steps, "Training steps")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Pairs per batch")->capture_default_str();
  cmd->add_option("--lr", args->lr, "Base learning rate (Adam)")->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Linear warm-up steps")->capture_default_str();
  cmd->add_option("--width", args->width, "Channels of the first conv block (paper: 64)")->capture_default_str();
  cmd->add_option("--tower", args->tower, "Conv towers: paper | compact (CPU: 4x4 stride-4 stem, same output grids)")
      ->capture_default_str();
  cmd->add_option("--global-weight", args->globalWeight,
                  "Contrastive AVOL-Net: add this weight of the loss on the mean over positions (shortens the plateau)")
      ->capture_default_str();
  cmd->add_option("--checkpoint-minutes", args->checkpointMinutes, "Also checkpoint after this many minutes (0: off)")
      ->capture_default_str();
  cmd->add_flag("--no-prefetch", args->noPrefetch, "Make batches on the training thread (no producer thread)");
  cmd->add_option("--data-workers", args->dataWorkers,
                  "Producer threads making batches (0: 1 on the CPU, all cores but one for a GPU)")
      ->capture_default_str();
  cmd->add_option("--device", args->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed")->capture_default_str();
  cmd->add_flag("--resume", args->resume, "Continue from OUT/checkpoint");
  cmd->add_flag("--no-frame-grid-fix", args->noGridFix,
                "Ablation: sample negative audio anywhere, not on the frame grid (dataset folders only)");
  cmd->add_option("--init", args->init, "Warm start: copy the weights of this model folder (same width and towers; another arch lends only its conv towers)");
  cmd->add_option("--similarity", args->similarity, "AVOL-Net region/audio comparison: auto (cosine for contrastive, dot for avc) | dot | cosine")
      ->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "Contrastive temperature")->capture_default_str();
  cmd->add_option("--time-limit", args->timeLimit, "Stop and save after this many seconds of training (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--val-every", args->valEvery, "Validate every N steps (0: at the end)")->capture_default_str();
  cmd->add_option("--checkpoint-every", args->checkpointEvery, "Checkpoint every N steps")->capture_default_str();
  cmd->callback([args] { runTrain(*args); });
});

}  // namespace
}  // namespace soundspot::cli
