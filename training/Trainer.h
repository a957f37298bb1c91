#pragma once
// The training loop shared by `soundspot-cli train` and the tests: Adam with
// weight decay, the paper's learning-rate schedule, a JSONL metrics log,
// validation AVC accuracy, atomic checkpoints with exact resume, and
// cancellation (a cancelled run saves a checkpoint and returns).
#include "core/common/Progress.h"
#include "core/data/BatchSource.h"
#include "core/nn/Model.h"
#include "training/Distributed.h"
#include "training/GradientBuckets.h"
#include "training/LearningRateSchedule.h"
#include "training/Objectives.h"
#include "training/SpectrogramMasks.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace soundspot::training {

// Throws UsageError unless `freeze` is "", "vision" or "audio" (TrainOptions::freeze).
void checkFreeze(const std::string& freeze);
// --allreduce: "flat" -> false, "bucketed" -> true; throws UsageError otherwise.
bool parseAllReduce(const std::string& text);

struct TrainOptions {
  nn::NetConfig net;
  LossSettings loss;              // objective, temperature, global weight, similar-audio k (Objectives.h)
  int64_t steps = 1000;
  int64_t batchSize = 16;
  LearningRateSchedule schedule;
  double weightDecay = 1e-5;
  std::string device = "cpu";     // "cpu" | "cuda"
  uint64_t seed = 1;
  int64_t valEvery = 0;           // 0 = only at the end (when a validation source is given)
  int64_t valBatches = 4;
  int64_t checkpointEvery = 500;  // 0 = only at the end / on cancel
  double checkpointSeconds = 600; // also checkpoint when this much wall time passed since the last (0 = off)
  std::filesystem::path out;      // the model folder; <out>/checkpoint holds the resumable state
  bool resume = false;
  bool maskSpectrograms = false;   // SpecAugment on the training batches (SpectrogramMasks.h)
  SpectrogramMasks spectrogramMasks;
  std::filesystem::path initFrom;  // warm start: copy matching weights from this model folder
  std::string freeze;              // "", "vision" or "audio": that conv tower keeps its weights and BN statistics
  // Contrastive AVOL-Net: an AVOL-Net or ensemble model folder to distil
  // with loss.distillWeight; the trainer loads it into loss.teacher unless
  // the caller already did (loadTeacher), and names it on the card.
  std::filesystem::path teacherFrom;
  double timeLimitSeconds = 0;     // > 0: stop (and save) after this much training time
  nlohmann::json recipe = nlohmann::json::object();  // extra fields for the model card
  // Data-parallel training (null: one process). Every rank trains on its own
  // batches of batchSize pairs (the caller seeds each rank's source
  // differently); gradients are averaged over the ranks after each backward
  // pass; rank 0 alone validates and writes metrics, checkpoints and the
  // model folder. BatchNorm is per rank: each normalises with its own
  // batch's statistics and the running statistics saved are rank 0's (the
  // networks' BatchNorm modules are LibTorch's; a synchronised one would
  // need an all-reduce inside every forward). Recorded on the model card.
  std::shared_ptr<Distributed> distributed;
  // How the ranks average gradients: one flat all-reduce after backward
  // (default; measured faster here, README), or DDP's buckets of about
  // bucketBytes whose all-reduces overlap the backward pass (GradientBuckets.h).
  bool bucketedAllReduce = false;
  int64_t bucketBytes = 1 << 20;
  // > 0: keep an exponential moving average of the weights (and of the
  // BatchNorm statistics) with this decay per step, validate with it and save
  // it as the model (Polyak averaging): the last step's weights carry the
  // noise of the last few batches, which the average smooths out.
  double weightAverageDecay = 0;
  // > 0: loss.dropHardest grows from 0 to its value over these steps
  // (dropHardestFractionAt).
  int64_t dropHardestRampSteps = 0;
};

// The --teacher model folder, on options.device, for loss.teacher. Throws
// UsageError unless `options` train a contrastive AVOL-Net with a positive
// distillWeight, and Error naming the folder unless it holds an AVOL-Net or
// an ensemble of them.
std::shared_ptr<const nn::Model> loadTeacher(const std::filesystem::path& modelDir, const TrainOptions& options);

struct StepStats {
  int64_t step = 0;  // 1-based index of the step just done
  double loss = 0, accuracy = 0, lr = 0, samplesPerSecond = 0;
  // Data-parallel: time in the all-reduce after backward (flat: every gradient
  // and the loss, i.e. what overlapping could save at most; bucketed: the loss
  // alone, the gradients were reduced during backward).
  double allReduceSeconds = 0;
  std::optional<double> droppedOffscreen, offscreen;  // LossResult's diagnostic (--drop-hardest-pairs)
  std::optional<double> distillation;                 // LossResult's distillation term (--teacher)
};

struct TrainResult {
  int64_t steps = 0;
  double loss = 0, trainAccuracy = 0, samplesPerSecond = 0;
  std::optional<double> valAccuracy;
  bool cancelled = false;
  bool timeLimited = false;  // stopped by TrainOptions::timeLimitSeconds
};

class Trainer {
 public:
  // `validation` may be null. Throws UsageError for an impossible
  // architecture/objective pair, Error when resuming without a checkpoint.
  Trainer(TrainOptions options, data::BatchSource& train, data::BatchSource* validation = nullptr);
  ~Trainer();

  TrainResult run(Progress* progress = nullptr, const CancelToken* cancel = nullptr);
  StepStats trainStep();
  // Forward and backward on `batch` (already on the device) in the model's
  // current mode, then the gradients averaged over the ranks; no optimizer
  // step. The loss and accuracy returned are the means over the ranks.
  LossResult computeGradients(const data::AvcBatch& batch);
  // Fraction of correctly classified pairs on `batches` AVC batches (half
  // positives, half negatives). avc: the model's own decision (score > 0);
  // contrastive leaves the calibration untrained, so its scores are split
  // at the batch median instead.
  double validate(data::BatchSource& source, int64_t batches);
  // AVOL-Net on a source with ground truth (scenes): the fraction of
  // positives with a visible sounding object whose map peaks inside its box
  // (the 14x14 cell centre), from the last validate(); empty otherwise.
  std::optional<double> lastValPointing() const { return lastValPointing_; }
  void saveCheckpoint();
  void saveFinalModel();
  // AVOL-Net trained contrastively: fits the calibration a·s + b (towers
  // frozen) with the paper's logistic loss on `batches` AVC batches, so that
  // the map reads as a probability and a mismatched sound gives an empty map.
  // Returns the AVC accuracy of the fitted calibration on those pairs.
  double fitCalibration(data::BatchSource& source, int64_t batches);
  // AVE-Net trained contrastively: fits its distance -> FC head the same way
  // (logit = a·distance + b, a < 0), so its AVC decision means something.
  double fitDistanceHead(data::BatchSource& source, int64_t batches);
  // L3-Net after contrastive training: its score s (corresponds minus does
  // not) only ranks pairs; refits the last layer so that the score reads
  // a·s + b with a > 0, a logistic fit on balanced pairs (towers unchanged).
  double fitL3Head(data::BatchSource& source, int64_t batches);

  int64_t step() const { return step_; }
  // The weight averages in averagedTargets() order (empty when off), for tests.
  const std::vector<torch::Tensor>& averagedWeights() const { return averaged_; }
  const nn::Model& model() const { return model_; }
  int rank() const { return opt_.distributed ? opt_.distributed->rank() : 0; }
  int worldSize() const { return opt_.distributed ? opt_.distributed->worldSize() : 1; }
  static std::filesystem::path checkpointDir(const std::filesystem::path& out) { return out / "checkpoint"; }

 private:
  void loadCheckpoint();
  void warmStart(const std::filesystem::path& modelDir);
  void recordTeacher();
  void freezeTower();
  void keepFrozenTowerInEval();
  void appendMetrics(const nlohmann::json& line);
  void broadcastWeights();
  // Weight averaging (TrainOptions::weightAverageDecay): the tensors averaged
  // (parameters, then floating-point buffers, in a fixed order), one update
  // after each optimizer step, and a swap of the averages with the model's
  // own tensors (swapping twice restores them).
  std::vector<torch::Tensor> averagedTargets() const;
  void updateWeightAverage();
  void swapAveragedWeights();
  nlohmann::json card() const;
  // One score per AVC pair over `batches` batches (eval mode, no gradient), with the labels.
  std::pair<torch::Tensor, torch::Tensor> scorePairs(data::BatchSource& source, int64_t batches,
                                                     const std::function<torch::Tensor(const data::AvcBatch&)>& score);
  data::AvcBatch toDevice(data::AvcBatch batch) const;

  TrainOptions opt_;
  data::BatchSource& train_;
  data::BatchSource* validation_;
  nn::Model model_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int64_t step_ = 0;
  std::optional<double> lastValPointing_;
  double trainSeconds_ = 0;  // time spent in training steps, over resumes
  bool cuda_ = false;
  bool cpuBf16_ = false;  // bf16 autocast on the CPU, read once from SOUNDSPOT_CPU_BF16
  double lastAllReduceSeconds_ = 0;
  std::unique_ptr<GradientBuckets> buckets_;  // bucketed all-reduce (null: flat or one process)
  std::vector<torch::Tensor> averaged_;        // weight averages (empty: off)
  int64_t averagedSince_ = 0;                   // the step the averages started from (a run may add them on --resume)
};

}  // namespace soundspot::training
