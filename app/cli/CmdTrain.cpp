// `soundspot-cli train`: trains AVOL-Net / AVE-Net / L3-Net on a dataset
// folder, a plain folder of videos or a scene asset pack, writing a model
// folder (plus a resumable checkpoint, metrics.jsonl and, for folders, the
// split used) and one JSON result line on stdout.
#include "app/cli/Command.h"
#include "app/cli/LocalLaunch.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/data/ClipCache.h"
#include "core/data/ClipDiskCache.h"
#include "core/data/DatasetSource.h"
#include "core/data/MediaFolder.h"
#include "core/data/PrefetchingSource.h"
#include "core/data/SceneSource.h"
#include "core/nn/Device.h"
#include "training/Distributed.h"
#include "training/Trainer.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace soundspot::cli {
namespace {

struct TrainArgs {
  // tower and width: "" / 0 = the --init model's, else paper and 64; objective "" = avc.
  std::string data, scenes, arch = "avol", objective, out, device = "auto", init, similarity = "auto", tower;
  std::string freeze, teacher, cache = data::ClipDiskCache::defaultDir().string();
  int64_t steps = 1000, batch = 16, valEvery = 0, checkpointEvery = 500, warmup = 0, similarAudio = 0;
  double dropHardest = 0;
  int64_t dropHardestRamp = 0;
  double weightAverageDecay = 0, distillWeight = 1, distillTemperature = 0;
  double lr = 0 /* auto */, temperature = 0.07, timeLimit = 0, globalWeight = 0, checkpointMinutes = 10;
  int width = 0, dataWorkers = 0;
  DataParallelArgs parallel;
  uint64_t seed = 1;
  bool resume = false, noGridFix = false, varyInstances = false, shapeAugment = false, specAugment = false, noPrefetch = false,
       noCache = false;
};

constexpr double kLearningRate = 1e-4, kFineTuneLearningRate = 1e-5;

// The card of the --init model folder (its shape and how it was trained).
nlohmann::json baseCard(const std::string& init) {
  if (init.empty()) return nlohmann::json::object();
  const auto file = std::filesystem::path(init) / "card.json";
  try {
    nlohmann::json card = nlohmann::json::parse(readFile(file));
    if (!card.is_object()) throw Error(file.string(), "is not a model card (a JSON object)");
    return card;
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string(), std::string("is not valid JSON: ") + e.what());
  }
}

// A fine-tune keeps the base model's shape (width, towers, similarity) unless told otherwise.
void adoptBaseModel(TrainArgs& a) {
  const nlohmann::json base = baseCard(a.init);
  const bool sameArch = base.value("arch", "") == a.arch;
  if (a.width == 0) a.width = base.value("width", 64);
  if (a.tower.empty()) a.tower = base.value("tower", "paper");
  // The paper's AVC objective, also for a contrastively trained base: a folder of one kind of
  // footage has many clips that sound alike, false negatives for a contrastive batch (README).
  if (a.objective.empty()) a.objective = "avc";
  if (a.similarity == "auto" && sameArch && base.contains("similarity")) a.similarity = base["similarity"].get<std::string>();
}

// OUT/split.json: which files trained, which validated, which were skipped and why.
void writeSplitFile(const std::filesystem::path& out, const data::Dataset& ds, const std::string& listHash,
                    const data::ClipCache& train, const data::ClipCache* val) {
  nlohmann::json j = {{"data", ds.dir.string()},
                      {"kind", ds.plainFolder ? "folder" : "dataset"},
                      {"split_rule", ds.plainFolder ? "val when hash(relative path) % 100 < 10" : "dataset.json"},
                      {"file_list_hash", listHash}};
  auto ids = [](const data::ClipCache& c) {
    nlohmann::json a = nlohmann::json::array();
    for (size_t i = 0; i < c.size(); ++i) a.push_back(c.clip(i).id);
    return a;
  };
  j["train"] = ids(train);
  j["val"] = val ? ids(*val) : nlohmann::json::array();
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto* c : {&train, val})
    if (c)
      for (const auto& s : c->skipped()) skipped.push_back({{"file", s.id}, {"reason", s.reason}});
  j["skipped"] = skipped;
  writeFileAtomically(out / "split.json", j.dump(2) + "\n");
}

// The card's fingerprint of the data folder: files listed, usable, seconds of media, list hash.
nlohmann::json folderFingerprint(const data::Dataset& ds, const std::string& listHash, const data::ClipCache& train,
                                 const data::ClipCache* val) {
  double seconds = 0;
  size_t usable = 0;
  for (const auto* c : {&train, val}) {
    if (!c) continue;
    usable += c->size();
    for (size_t i = 0; i < c->size(); ++i) seconds += (*c)[i].duration;
  }
  return {{"path", ds.dir.string()}, {"kind", ds.plainFolder ? "folder" : "dataset"}, {"files", ds.clips.size()},
          {"usable", usable}, {"seconds", std::round(seconds * 10) / 10}, {"file_list_hash", listHash}};
}

void runTrain(TrainArgs a) {
  adoptBaseModel(a);
  if (a.data.empty() == a.scenes.empty()) throw UsageError("train", "give exactly one of --data DATASET_DIR or --scenes PACK");
  if (a.steps < 1) throw UsageError("--steps", "must be at least 1");
  if (a.width < 1 || a.width > 256) throw UsageError("--width", "must be between 1 and 256");
  if (a.lr < 0) throw UsageError("--lr", "must be positive");
  training::checkFreeze(a.freeze);  // before the data is decoded
  // Options that change how one kind of source is sampled would do nothing on the other.
  for (const auto& [flag, set] : {std::pair{"--vary-instances", a.varyInstances}, {"--shape-augment", a.shapeAugment}})
    if (set && !a.data.empty()) throw UsageError(flag, "applies to --scenes only (it varies the scene objects)");
  if (!a.scenes.empty() && a.noGridFix)
    throw UsageError("--no-frame-grid-fix", "applies to --data only (scene audio is not cut from a video's frame grid)");
  // Data-parallel when a launcher (torchrun, Slurm, MPI, --nproc) set
  // WORLD_SIZE > 1: join the group first, so that a bad MASTER_ADDR fails
  // before minutes of decoding.
  std::shared_ptr<training::Distributed> dist;
  if (const auto env = training::distributedEnvFromEnvironment()) dist = std::make_shared<training::Distributed>(*env);
  const int rank = dist ? dist->rank() : 0;
  const bool writer = rank == 0;  // rank 0 alone writes files and the result line
  // The other ranks would repeat rank 0's log line for line: they say only what goes wrong.
  if (!writer && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  // Each rank draws its own batches: rank 0 keeps the run's seed (one process = rank 0).
  const uint64_t dataSeed = a.seed + 1000003ull * static_cast<uint64_t>(rank);
  training::TrainOptions opt;
  opt.net.arch = nn::parseArch(a.arch);
  opt.net.width = a.width;
  opt.net.tower = nn::parseTower(a.tower);
  opt.loss.objective = training::parseObjective(a.objective);
  // The contrastive objective trains cosines; the paper's avc the raw product.
  opt.net.similarity = a.similarity == "auto"
                           ? (opt.loss.objective == training::Objective::Contrastive ? nn::Similarity::Cosine : nn::Similarity::Dot)
                           : nn::parseSimilarity(a.similarity);
  opt.steps = a.steps;
  opt.batchSize = a.batch;
  // Fine-tuning moves the base model gently unless told otherwise.
  opt.schedule.base = a.lr > 0 ? a.lr : (a.init.empty() ? kLearningRate : kFineTuneLearningRate);
  opt.freeze = a.freeze;
  opt.schedule.warmupSteps = a.warmup;
  opt.device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
  opt.seed = a.seed;
  opt.valEvery = a.valEvery;
  opt.checkpointEvery = a.checkpointEvery;
  opt.out = a.out;
  opt.resume = a.resume;
  opt.initFrom = a.init;
  opt.loss.temperature = a.temperature;
  opt.loss.globalWeight = a.globalWeight;
  opt.checkpointSeconds = a.checkpointMinutes * 60;
  if (a.globalWeight < 0) throw UsageError("--global-weight", "must not be negative");
  opt.maskSpectrograms = a.specAugment;
  opt.recipe["spec_augment"] = a.specAugment;
  opt.loss.similarAudio = a.similarAudio;
  if (a.similarAudio < 0) throw UsageError("--similar-audio-not-negative", "must not be negative");
  if (a.similarAudio > 0 && opt.loss.objective != training::Objective::Contrastive)
    throw UsageError("--similar-audio-not-negative", "applies to --objective contrastive (avc has no in-batch negatives)");
  opt.loss.dropHardest = a.dropHardest;
  if (a.dropHardest < 0 || a.dropHardest >= 1) throw UsageError("--drop-hardest-pairs", "must be in [0, 1)");
  if (a.dropHardest > 0 && opt.loss.objective != training::Objective::Contrastive)
    throw UsageError("--drop-hardest-pairs", "applies to --objective contrastive");
  if (a.dropHardestRamp < 0) throw UsageError("--drop-hardest-ramp", "must not be negative");
  if (a.dropHardestRamp > 0 && a.dropHardest <= 0) throw UsageError("--drop-hardest-ramp", "needs --drop-hardest-pairs");
  opt.dropHardestRampSteps = a.dropHardestRamp;
  if (a.weightAverageDecay < 0 || a.weightAverageDecay >= 1) throw UsageError("--weight-average-decay", "must be in [0, 1)");
  opt.weightAverageDecay = a.weightAverageDecay;
  opt.teacherFrom = a.teacher;
  opt.loss.distillWeight = a.distillWeight;
  opt.loss.distillTemperature = a.distillTemperature;
  if (!a.teacher.empty()) opt.loss.teacher = training::loadTeacher(a.teacher, opt);  // before any data is read
  opt.timeLimitSeconds = a.timeLimit;
  opt.distributed = dist;
  opt.bucketedAllReduce = training::parseAllReduce(a.parallel.allReduce);
  opt.bucketBytes = static_cast<int64_t>(a.parallel.bucketKb) * 1024;
  if (a.temperature <= 0) throw UsageError("--temperature", "must be positive");

  if (a.dataWorkers < 0) throw UsageError("--data-workers", "must not be negative");
  const int workers = a.noPrefetch ? 0 : data::dataWorkers(a.dataWorkers, opt.device);
  // Ctrl-C stops decoding as well as training.
  CancelToken cancel;
  cancelOnSignal(cancel);
  data::SourceFactory openTrain;
  std::unique_ptr<data::BatchSource> validation;
  if (!a.data.empty()) {
    data::SamplerOptions sampler;
    sampler.frameGridFix = !a.noGridFix;
    opt.recipe["frame_grid_fix"] = sampler.frameGridFix;
    data::DecodeOptions decode;
    if (!a.noCache) decode.cacheDir = a.cache;
    decode.cancel = &cancel;
    // An output or cache folder inside the data folder is not data.
    const data::Dataset ds = data::openDatasetOrFolder(a.data, {a.out, decode.cacheDir});
    if (ds.plainFolder) spdlog::info("{}: a plain folder of {} video file(s), split by path hash", a.data, ds.clips.size());
    std::shared_ptr<data::ClipCache> trainClips, valClips;
    try {
      trainClips = data::decodeSplit(ds, "train", sampler, decode);
      try {
        valClips = data::decodeSplit(ds, "val", sampler, decode);
      } catch (const Error& e) {
        if (cancel.cancelled()) throw;
        spdlog::warn("no validation: {}", e.what());
      }
    } catch (const Error&) {
      if (cancel.cancelled())
        throw Error(a.data, "cancelled while decoding (what was decoded is kept in the clip cache for the next run)");
      throw;
    }
    std::filesystem::create_directories(a.out);
    const std::string listHash = data::fileListHash(ds);  // stats every file: once
    if (writer) writeSplitFile(a.out, ds, listHash, *trainClips, valClips.get());
    opt.recipe["data"] = a.data;
    opt.recipe["data_fingerprint"] = folderFingerprint(ds, listHash, *trainClips, valClips.get());
    openTrain = [trainClips, sampler, seed = dataSeed] { return std::make_unique<data::DatasetSource>(trainClips, seed, sampler); };
    if (valClips && writer) {  // rank 0 alone validates
      data::SamplerOptions valSampler;  // the paper's sampling, no augmentation
      valSampler.augment = false;
      validation = std::make_unique<data::DatasetSource>(valClips, a.seed + 1, valSampler);
    }
  } else {
    const std::string device = opt.device;
    data::SceneRules rules;
    rules.instanceAugment = a.varyInstances;
    rules.shapeAugment = a.shapeAugment;
    openTrain = [&a, device, dataSeed, rules] { return data::openSceneSource(a.scenes, "train", device, dataSeed, rules); };
    opt.recipe["vary_instances"] = a.varyInstances;
    opt.recipe["shape_augment"] = a.shapeAugment;
    if (writer) validation = data::openSceneSource(a.scenes, "val", opt.device, a.seed + 1);
    opt.recipe["scenes"] = a.scenes;
  }

  // Scenes and spectrograms are made on producer threads while the model trains.
  std::unique_ptr<data::BatchSource> train = workers == 0 ? openTrain() : data::prefetching(openTrain, workers);
  if (workers > 1) spdlog::info("{} data producers", workers);
  training::Trainer trainer(opt, *train, validation.get());
  Progress progress("train " + a.arch, a.steps, Progress::terminalBar("train " + a.arch));
  if (writer) progress.set(trainer.step());
  spdlog::info("training {} (width {}, {} towers, {}) on {} ({} threads) for {} steps, batch {}{}", a.arch, a.width, a.tower,
               a.objective, opt.device, nn::cpuThreads(), a.steps, a.batch,
               dist ? " per rank (rank " + std::to_string(rank) + " of " + std::to_string(dist->worldSize()) + ")" : "");
  const auto result = trainer.run(writer ? &progress : nullptr, &cancel);
  if (!writer) return;
  nlohmann::json line = {{"model", a.out},       {"arch", a.arch},
                         {"objective", a.objective}, {"steps", result.steps},
                         {"loss", result.loss},  {"train_acc", result.trainAccuracy},
                         {"samples_per_s", result.samplesPerSecond}, {"device", opt.device},
                         {"cancelled", result.cancelled}, {"time_limited", result.timeLimited}};
  if (result.valAccuracy) line["val_acc"] = *result.valAccuracy;
  if (trainer.lastValPointing()) line["val_pointing"] = *trainer.lastValPointing();
  if (dist) line["world_size"] = dist->worldSize();  // samples_per_s is per rank
  std::printf("%s\n", line.dump().c_str());
}

CommandRegistration reg("train", [](CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train AVOL-Net / AVE-Net / L3-Net (audio-visual correspondence or contrastive)");
  cmd->add_option("--data", args->data,
                  "Dataset folder (dataset.json), or any folder of your own videos (searched recursively; split by "
                  "path hash, the split written to OUT/split.json)");
  cmd->add_option("--scenes", args->scenes, "Scene asset pack (synthesised scenes)");
  cmd->add_option("--arch", args->arch, "avol | ave | l3")->capture_default_str();
  cmd->add_option("--objective", args->objective, "avc | contrastive [default: avc]");
  cmd->add_option("--out", args->out, "Model folder to write")->required();
  cmd->add_option("--steps", args->steps, "Training steps")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Pairs per batch")->capture_default_str();
  cmd->add_option("--lr", args->lr, "Base learning rate (Adam) [default: 1e-4; 1e-5 with --init]");
  cmd->add_option("--warmup", args->warmup, "Linear warm-up steps")->capture_default_str();
  cmd->add_option("--width", args->width, "Channels of the first conv block [default: the --init model's, else 64 as in the paper]");
  cmd->add_option("--tower", args->tower,
                  "Conv towers: paper | compact (CPU: 4x4 stride-4 stem, same output grids) [default: the --init model's, else paper]");
  cmd->add_option("--global-weight", args->globalWeight,
                  "Contrastive AVOL-Net: add this weight of the loss on the mean over positions (shortens the plateau from "
                  "scratch, but also teaches the background the sound: a warm-started AVOL-Net localizes better without it)")
      ->capture_default_str();
  cmd->add_option("--similar-audio-not-negative", args->similarAudio,
                  "Contrastive: the K audios of the batch nearest to a pair's own audio (audio embeddings) are not its "
                  "negatives: likely the same kind of sound from another recording (label-free)")
      ->capture_default_str();
  cmd->add_option("--weight-average-decay", args->weightAverageDecay,
                  "Keep an exponential moving average of the weights with this decay per step (e.g. 0.999: about the last "
                  "1,000 steps), validate with it and save it as the model; the checkpoint keeps both for --resume")
      ->capture_default_str();
  cmd->add_option("--drop-hardest-pairs", args->dropHardest,
                  "Contrastive: leave out this fraction of each batch's pairs with the highest loss, likely sounds that "
                  "nothing in the frame makes (off-screen); the metrics log how many of them were (scenes)")
      ->capture_default_str();
  cmd->add_option("--drop-hardest-ramp", args->dropHardestRamp,
                  "Raise the --drop-hardest-pairs fraction linearly from 0 over this many steps (from scratch every "
                  "pair is hard at first, so the hardest are not yet the off-screen ones)")
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
  cmd->add_flag("--vary-instances", args->varyInstances,
                "Scenes only: vary each training object's look and sound (greyscale, colour, width, 0.8-1.2x "
                "playback; docs/SCENES.md). Measured: no gain on unseen instances at the CPU budget (docs/TRAINING-STUDY.md)");
  cmd->add_flag("--shape-augment", args->shapeAugment,
                "Scenes only: draw 25% of training objects as flat silhouettes of a random colour and half with "
                "their colour channels permuted, so that the vision tower has to learn shapes (docs/SCENES.md)");
  cmd->add_flag("--spec-augment", args->specAugment,
                "Mask 2 random frequency bands (up to 30 of 257 bins) and 2 time stretches (up to 0.1 s) of each "
                "training spectrogram with its mean (SpecAugment), so the audio tower cannot lean on one band or instant");
  cmd->add_flag("--no-frame-grid-fix", args->noGridFix,
                "Ablation: sample negative audio anywhere, not on the frame grid (dataset folders only)");
  cmd->add_option("--init", args->init,
                  "Fine-tune / warm start: copy the weights of this model folder, e.g. resources/models/avol (same width "
                  "and towers; another arch lends only its conv towers)");
  cmd->add_option("--freeze", args->freeze, "Fine-tuning: keep this conv tower fixed (vision | audio)");
  auto* teacher = cmd->add_option("--teacher", args->teacher,
                                  "Contrastive AVOL-Net: also learn to answer like this AVOL-Net or ensemble folder "
                                  "(distillation of which audio goes with which frame, and where in the frame)");
  cmd->add_option("--distill-weight", args->distillWeight, "Weight of the --teacher's term in the loss")
      ->capture_default_str()
      ->needs(teacher);
  cmd->add_option("--distill-temperature", args->distillTemperature,
                  "Temperature of the --teacher's term (0: the contrastive --temperature; higher passes on more of how "
                  "the teacher ranks the wrong answers)")
      ->capture_default_str()
      ->needs(teacher);
  cmd->add_option("--cache", args->cache, "Folder keeping decoded clips between runs (safe to delete)")->capture_default_str();
  cmd->add_flag("--no-cache", args->noCache, "Decode the videos without reading or writing the clip cache");
  cmd->add_option("--similarity", args->similarity, "AVOL-Net region/audio comparison: auto (cosine for contrastive, dot for avc) | dot | cosine")
      ->capture_default_str();
  cmd->add_option("--temperature", args->temperature, "Contrastive temperature")->capture_default_str();
  cmd->add_option("--time-limit", args->timeLimit, "Stop and save after this many seconds of training (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--val-every", args->valEvery, "Validate every N steps (0: at the end)")->capture_default_str();
  cmd->add_option("--checkpoint-every", args->checkpointEvery, "Checkpoint every N steps")->capture_default_str();
  addDataParallelOptions(cmd, args->parallel,
                         "Data-parallel on this machine: start N worker processes (Gloo over loopback), each with --batch "
                         "pairs and cores/N threads. torchrun / Slurm / MPI launchers instead set WORLD_SIZE, RANK, "
                         "MASTER_ADDR, MASTER_PORT");
  cmd->callback([args] {
    if (runAsLocalRanks(args->parallel)) return;
    runTrain(*args);
  });
});

}  // namespace
}  // namespace soundspot::cli
