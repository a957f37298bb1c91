#include "training/Trainer.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/nn/Device.h"
#include "core/nn/EnsembleFolder.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace soundspot::training {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// bf16 autocast for CUDA; the API was renamed in LibTorch 2.4.
class CudaAutocast {
 public:
  explicit CudaAutocast(bool enable) : enabled_(enable) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
  }
  ~CudaAutocast() {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
    at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }

 private:
  bool enabled_;
};

// Pointing on the 14x14 grid: does the peak cell's centre lie in the box?
// Returns (hits, pairs with a box).
std::pair<int64_t, int64_t> pointingHits(const torch::Tensor& maps, const torch::Tensor& boxes) {
  const int64_t n = maps.size(0), h = maps.size(1), w = maps.size(2);
  const auto peaks = maps.flatten(1).argmax(1);
  auto box = boxes.accessor<float, 2>();
  auto peak = peaks.accessor<int64_t, 1>();
  int64_t hits = 0, pairs = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (box[i][0] < 0) continue;
    ++pairs;
    const double x = (peak[i] % w + 0.5) / w, y = (peak[i] / w + 0.5) / h;
    hits += x >= box[i][0] && x <= box[i][2] && y >= box[i][1] && y <= box[i][3];
  }
  return {hits, pairs};
}

// After a kill, the metrics log may go past the checkpoint the run resumes
// from: those lines are dropped so that each step appears once.
void dropMetricsAfter(const fs::path& log, int64_t step) {
  if (!fs::exists(log)) return;
  std::ifstream in(log);
  std::string kept, line;
  while (std::getline(in, line)) {
    try {
      if (json::parse(line).value("step", int64_t(0)) > step) continue;
    } catch (const json::exception&) {
      continue;  // a line cut short by the kill
    }
    kept += line + "\n";
  }
  in.close();
  writeFileAtomically(log, kept);
}

// bf16 autocast on the CPU (oneDNN's bf16 kernels on AVX-512 BF16), only
// when SOUNDSPOT_CPU_BF16=1 (measured: see README, Measured speed).
class CpuAutocast {
 public:
  explicit CpuAutocast(bool enable) : enabled_(enable) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(at::kCPU, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCPU, true);
#else
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
#endif
  }
  ~CpuAutocast() {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCPU, false);
#else
    at::autocast::set_cpu_enabled(false);
#endif
    at::autocast::clear_cache();
  }

 private:
  bool enabled_;
};

// channels_last lets oneDNN skip its layout reorders; SOUNDSPOT_CHANNELS_LAST=0 turns it off (measurements).
bool channelsLast() {
  const char* v = std::getenv("SOUNDSPOT_CHANNELS_LAST");
  return !(v && std::string(v) == "0");
}

void toChannelsLast(torch::nn::Module& module) {
  torch::NoGradGuard noGrad;
  for (auto& p : module.parameters())
    if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

}  // namespace

Trainer::Trainer(TrainOptions options, data::BatchSource& train, data::BatchSource* validation)
    : opt_(std::move(options)), train_(train), validation_(validation) {
  if (opt_.batchSize < 2) throw UsageError("--batch", "needs at least 2 pairs per batch");
  cuda_ = opt_.device == "cuda";
  cpuBf16_ = !cuda_ && nn::cpuBf16Requested();
  if (cpuBf16_ && !nn::cpuHasNativeBf16())
    spdlog::warn("SOUNDSPOT_CPU_BF16=1, but this CPU has no bf16 instructions (avx512_bf16, amx_bf16): "
                 "LibTorch emulates them and trains about 10 times slower; unset it for float32");
  torch::manual_seed(opt_.seed);
  model_ = nn::makeModel(opt_.net);
  model_.device = opt_.device;
  model_.module()->to(torch::Device(opt_.device));
  if (channelsLast()) toChannelsLast(*model_.module());
  model_.module()->train();
  if (!opt_.freeze.empty()) freezeTower();
  optimizer_ = std::make_unique<torch::optim::Adam>(
      model_.module()->parameters(), torch::optim::AdamOptions(opt_.schedule.base).weight_decay(opt_.weightDecay));
  if (!opt_.initFrom.empty() && !opt_.resume) warmStart(opt_.initFrom);
  if (opt_.resume) loadCheckpoint();  // every rank reads the same checkpoint (a folder all ranks see)
  if (!opt_.teacherFrom.empty()) {
    if (!opt_.loss.teacher) opt_.loss.teacher = loadTeacher(opt_.teacherFrom, opt_);
    recordTeacher();
  }
  if (opt_.weightAverageDecay > 0 && averaged_.empty()) {  // a fresh run, or a checkpoint made without averaging
    for (const auto& t : averagedTargets()) averaged_.push_back(t.detach().clone());
    averagedSince_ = step_;
  }
  if (opt_.distributed) {
    broadcastWeights();  // identical start on every rank, whatever each one loaded
    // Same weights, but rank-dependent randomness from here on (dropout, augmentation on the torch generator).
    if (rank() != 0) torch::manual_seed(opt_.seed + 1000003ull * static_cast<uint64_t>(rank()));
    if (opt_.bucketedAllReduce) {
      std::vector<torch::Tensor> trainable;
      for (auto& p : model_.module()->parameters(true))
        if (p.requires_grad()) trainable.push_back(p);
      buckets_ = std::make_unique<GradientBuckets>(*opt_.distributed, trainable, opt_.bucketBytes);
      spdlog::info("gradients: bucketed all-reduce overlapping backward ({} buckets of up to {} KiB)", buckets_->bucketCount(),
                   opt_.bucketBytes / 1024);
    }
  }
}

void Trainer::broadcastWeights() {
  std::vector<torch::Tensor> tensors;
  for (auto& p : model_.module()->parameters(true)) tensors.push_back(p);
  for (auto& b : model_.module()->buffers(true))
    if (b.is_floating_point()) tensors.push_back(b);  // BatchNorm running statistics
  opt_.distributed->broadcastFromRank0(tensors);
}

void checkFreeze(const std::string& freeze) {
  if (!freeze.empty() && freeze != "vision" && freeze != "audio")
    throw UsageError("--freeze", "is '" + freeze + "', expected vision or audio");
}

bool parseAllReduce(const std::string& text) {
  if (text == "flat") return false;
  if (text == "bucketed") return true;
  throw UsageError("--allreduce", "is '" + text + "', expected flat or bucketed");
}

void Trainer::freezeTower() {
  checkFreeze(opt_.freeze);
  int64_t frozen = 0;
  for (auto& p : model_.module()->named_parameters(true))
    if (p.key().rfind(opt_.freeze + ".", 0) == 0) {
      p.value().set_requires_grad(false);  // Adam skips parameters without a gradient
      ++frozen;
    }
  if (frozen == 0) throw UsageError("--freeze", "this network has no " + opt_.freeze + " tower");
  opt_.recipe["freeze"] = opt_.freeze;
  spdlog::info("{} tower frozen ({} parameter tensors)", opt_.freeze, frozen);
}

void Trainer::keepFrozenTowerInEval() {
  if (opt_.freeze.empty()) return;
  // A frozen tower's BatchNorm keeps the statistics of the base model.
  for (auto& child : model_.module()->named_children())
    if (child.key() == opt_.freeze) child.value()->eval();
}

void Trainer::warmStart(const fs::path& modelDir) {
  const nn::Model init = nn::loadModel(modelDir, "cpu");
  if (nn::isEnsembleCard(init.card))
    throw Error(modelDir.string(), "is an ensemble of models; --init takes one of them (a folder under its members/)");
  if (init.config.width != opt_.net.width || init.config.tower != opt_.net.tower)
    throw Error(modelDir.string(), "--init needs a model of the same width and towers (it has width " +
                                       std::to_string(init.config.width) + ", " + nn::toString(init.config.tower) + " towers)");
  // Another architecture lends only its conv towers (e.g. AVOL-Net starting
  // from an AVE-Net, whose global objective leaves chance much sooner).
  const bool towersOnly = init.config.arch != opt_.net.arch;
  auto lends = [&](const std::string& name) {
    return !towersOnly || name.rfind("vision.", 0) == 0 || name.rfind("audio.", 0) == 0;
  };
  torch::NoGradGuard noGrad;
  auto src = init.module()->named_parameters(true);
  int64_t copied = 0;
  for (auto& p : model_.module()->named_parameters(true)) {
    if (const auto* s = src.find(p.key()); s && lends(p.key()) && s->sizes() == p.value().sizes()) {
      p.value().copy_(*s);
      ++copied;
    }
  }
  auto srcBuffers = init.module()->named_buffers(true);
  for (auto& b : model_.module()->named_buffers(true))
    if (const auto* s = srcBuffers.find(b.key()); s && lends(b.key()) && s->sizes() == b.value().sizes()) b.value().copy_(*s);
  opt_.recipe["init"] = modelDir.string();
  json base = {{"path", fs::absolute(modelDir).lexically_normal().string()}, {"arch", nn::toString(init.config.arch)}};
  if (init.card.is_object() && init.card.contains("recipe")) {
    const json& r = init.card["recipe"];
    for (const char* key : {"code_commit", "steps", "samples_seen", "scenes", "data"})
      if (r.contains(key)) base[key] = r[key];
  }
  opt_.recipe["base_model"] = base;
  spdlog::info("warm start from {} ({} of {} parameter tensors)", modelDir.string(), copied, src.size());
}

std::shared_ptr<const nn::Model> loadTeacher(const fs::path& modelDir, const TrainOptions& options) {
  if (options.net.arch != nn::Arch::Avol || options.loss.objective != Objective::Contrastive)
    throw UsageError("--teacher", "distils into AVOL-Net trained with --objective contrastive");
  if (!(options.loss.distillWeight > 0) || !std::isfinite(options.loss.distillWeight))
    throw UsageError("--distill-weight", "must be a positive number");
  if (!(options.loss.distillTemperature >= 0) || !std::isfinite(options.loss.distillTemperature))
    throw UsageError("--distill-temperature", "must be a positive number (0: the contrastive temperature)");
  auto teacher = std::make_shared<nn::Model>(nn::loadModel(modelDir, options.device));  // eval mode, kept so
  if (!nn::avolNet(*teacher))
    throw Error(modelDir.string(),
                "is an " + nn::toString(teacher->config.arch) + " model; --teacher takes an AVOL-Net or an ensemble of them");
  return teacher;
}

void Trainer::recordTeacher() {
  json entry = {{"path", fs::absolute(opt_.teacherFrom).lexically_normal().string()}, {"distill_weight", opt_.loss.distillWeight}};
  if (opt_.loss.distillTemperature > 0) entry["distill_temperature"] = opt_.loss.distillTemperature;
  if (nn::isEnsembleCard(opt_.loss.teacher->card)) entry["ensemble"] = opt_.loss.teacher->card.at("ensemble");
  opt_.recipe["teacher"] = entry;
  spdlog::info("distilling {} (weight {}, temperature {})", opt_.teacherFrom.string(), opt_.loss.distillWeight,
               opt_.loss.distillationTemperature());
}

Trainer::~Trainer() = default;

data::AvcBatch Trainer::toDevice(data::AvcBatch b) const {
  const auto dev = torch::Device(opt_.device);
  b.images = b.images.to(dev, torch::kFloat);
  b.spectrograms = b.spectrograms.to(dev, torch::kFloat);
  if (channelsLast()) {
    b.images = b.images.contiguous(torch::MemoryFormat::ChannelsLast);
    b.spectrograms = b.spectrograms.contiguous(torch::MemoryFormat::ChannelsLast);
  }
  b.corresponds = b.corresponds.to(dev);
  b.audioIdentity = b.audioIdentity.to(dev);
  return b;
}

LossResult Trainer::computeGradients(const data::AvcBatch& batch) {
  optimizer_->zero_grad();
  Distributed* dist = opt_.distributed.get();
  GatherFn gather;
  if (dist) gather = [dist](const torch::Tensor& t) { return dist->allGather(t); };
  LossResult result;
  if (buckets_) buckets_->beforeForward();
  {
    CudaAutocast autocast(cuda_);
    CpuAutocast cpuAutocast(cpuBf16_);
    LossSettings loss = opt_.loss;
    loss.dropHardest = dropHardestFractionAt(opt_.loss.dropHardest, opt_.dropHardestRampSteps, step_);
    result = computeLoss(model_, loss, batch, gather);
  }
  if (!dist) {
    result.loss.backward();
    return result;
  }
  // The gathered contrastive loss is the global batch's on every rank and its
  // gradient reaches only the local embeddings: the global gradient is the
  // sum over ranks, i.e. the mean of (world size x loss) (Objectives.h).
  const double scale = opt_.loss.objective == Objective::Contrastive ? worldSize() : 1.0;
  const torch::Tensor loss = scale == 1.0 ? result.loss : result.loss * scale;
  auto stats = torch::tensor({result.loss.item<double>(), result.accuracy}, torch::kFloat);
  std::vector<torch::Tensor> reduced{stats};  // the loss and accuracy, for the log
  if (buckets_) {
    // The buckets' all-reduces run during backward; it returns with averaged gradients.
    buckets_->beforeBackward(loss);
    try {
      loss.backward();
    } catch (const std::exception& e) {  // c10::Error or Gloo's own (gloo::IoException)
      const auto* c10 = dynamic_cast<const c10::Error*>(&e);
      throw Error(dist->address(), "bucketed all-reduce failed on rank " + std::to_string(rank()) + " of " +
                                       std::to_string(worldSize()) + " (another rank died or stopped answering?): " +
                                       (c10 ? c10->what_without_backtrace() : e.what()));
    }
  } else {
    // One flat all-reduce of every gradient, after backward.
    loss.backward();
    for (auto& p : model_.module()->parameters(true))
      if (p.grad().defined()) reduced.push_back(p.grad());  // undefined (frozen) on every rank alike
  }
  const auto reduceStart = std::chrono::steady_clock::now();
  dist->allReduceSum(reduced);
  lastAllReduceSeconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - reduceStart).count();
  for (auto& g : reduced) g.div_(worldSize());
  result.loss = stats[0].clone();
  result.accuracy = stats[1].item<double>();
  return result;
}

std::vector<torch::Tensor> Trainer::averagedTargets() const {
  std::vector<torch::Tensor> targets = model_.module()->parameters(true);
  for (const auto& b : model_.module()->buffers(true))
    if (b.is_floating_point()) targets.push_back(b);  // BatchNorm statistics; not the batch counters
  return targets;
}

void Trainer::updateWeightAverage() {
  if (averaged_.empty()) return;
  // The usual ramp (as in TensorFlow's ExponentialMovingAverage): early
  // averages do not hold on to the starting weights. Tied to the step, so a
  // resumed run averages as an uninterrupted one.
  const double d = std::min(opt_.weightAverageDecay, (1.0 + step_) / (10.0 + step_));
  torch::NoGradGuard noGrad;
  const auto targets = averagedTargets();
  for (size_t i = 0; i < targets.size(); ++i) averaged_[i].mul_(d).add_(targets[i].detach(), 1.0 - d);
}

void Trainer::swapAveragedWeights() {
  torch::NoGradGuard noGrad;
  const auto targets = averagedTargets();
  for (size_t i = 0; i < targets.size(); ++i) {
    const torch::Tensor own = targets[i].detach().clone();
    targets[i].detach().copy_(averaged_[i]);
    averaged_[i].copy_(own);
  }
}

StepStats Trainer::trainStep() {
  const auto start = std::chrono::steady_clock::now();
  // One epoch is epochSize samples of the global batch (all ranks together).
  const double lr = opt_.schedule.at(step_, std::max<int64_t>(1, train_.epochSize() / (opt_.batchSize * worldSize())));
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  const auto mode = opt_.loss.objective == Objective::Avc ? data::PairMode::Avc : data::PairMode::PositivesOnly;
  auto batch = toDevice(train_.next(opt_.batchSize, mode));
  // Drawn from (seed, step, rank): a resumed run masks its batches as an uninterrupted one would.
  if (opt_.maskSpectrograms)
    applySpectrogramMasks(batch.spectrograms, opt_.spectrogramMasks,
                          opt_.seed ^ (0x9e3779b97f4a7c15ull * uint64_t(step_ + 1)) ^ (uint64_t(rank()) << 48));
  model_.module()->train();
  keepFrozenTowerInEval();
  const LossResult result = computeGradients(batch);
  optimizer_->step();
  ++step_;
  updateWeightAverage();
  StepStats stats;
  stats.step = step_;
  stats.loss = result.loss.item<double>();
  stats.accuracy = result.accuracy;
  stats.lr = lr;
  stats.allReduceSeconds = lastAllReduceSeconds_;
  stats.droppedOffscreen = result.droppedOffscreen;  // this rank's view of the batch, a diagnostic
  stats.offscreen = result.offscreen;
  stats.distillation = result.distillation;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats.samplesPerSecond = opt_.batchSize / std::max(seconds, 1e-9);  // per rank
  return stats;
}

double Trainer::validate(data::BatchSource& source, int64_t batches) {
  torch::NoGradGuard noGrad;
  // With weight averaging the averaged model is the one validated (it is the one saved).
  struct AveragedWeightsInUse {
    Trainer& t;
    explicit AveragedWeightsInUse(Trainer& trainer) : t(trainer) { if (!t.averaged_.empty()) t.swapAveragedWeights(); }
    ~AveragedWeightsInUse() { if (!t.averaged_.empty()) t.swapAveragedWeights(); }
  } averagedInUse(*this);
  model_.module()->eval();
  int64_t right = 0, total = 0, hits = 0, pointed = 0;
  auto avol = nn::avolNet(model_);
  for (int64_t i = 0; i < batches; ++i) {
    const auto batch = toDevice(source.next(opt_.batchSize, data::PairMode::Avc));
    torch::Tensor scores;
    {
      CudaAutocast autocast(cuda_);
      if (avol) {
        const auto out = avol->forward(batch.images, batch.spectrograms);
        scores = out.logit.to(torch::kCPU, torch::kFloat);
        if (batch.soundingBoxes.defined()) {
          const auto [h, p] = pointingHits(out.map.to(torch::kCPU, torch::kFloat), batch.soundingBoxes.to(torch::kCPU));
          hits += h;
          pointed += p;
        }
      } else {
        scores = correspondenceScores(model_, batch.images, batch.spectrograms).to(torch::kCPU, torch::kFloat);
      }
    }
    const double threshold = opt_.loss.objective == Objective::Avc ? 0.0 : scores.median().item<double>();
    const auto labels = batch.corresponds.to(torch::kCPU).gt(0.5);
    right += scores.gt(threshold).eq(labels).sum().item<int64_t>();
    total += scores.size(0);
  }
  model_.module()->train();
  lastValPointing_ = pointed ? std::optional<double>(double(hits) / pointed) : std::nullopt;
  return total ? static_cast<double>(right) / total : 0.0;
}

namespace {

// 1-D logistic regression p(corresponds) = sigmoid(a·x + b) with the sign of
// a fixed (a = sign·exp(log|a|)), so the score keeps its meaning. Returns
// {a, b, accuracy on the pairs}.
struct LogisticFit {
  float a = 1, b = 0;
  double accuracy = 0;
};

LogisticFit fitMonotoneLogistic(const torch::Tensor& x, const torch::Tensor& y, float sign, float a0, float b0) {
  auto logA = torch::full({1}, std::log(std::max(1e-3f, std::abs(a0))), torch::requires_grad());
  auto b = torch::full({1}, b0, torch::requires_grad());
  torch::optim::Adam fit({logA, b}, torch::optim::AdamOptions(0.05));
  for (int it = 0; it < 500; ++it) {
    fit.zero_grad();
    torch::nn::functional::binary_cross_entropy_with_logits(sign * logA.exp() * x + b, y).backward();
    fit.step();
  }
  torch::NoGradGuard noGrad;
  LogisticFit out;
  out.a = sign * logA.exp().item<float>();
  out.b = b.item<float>();
  out.accuracy = avcAccuracy(out.a * x + out.b, y);
  return out;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> Trainer::scorePairs(
    data::BatchSource& source, int64_t batches, const std::function<torch::Tensor(const data::AvcBatch&)>& score) {
  std::vector<torch::Tensor> values, labels;
  torch::NoGradGuard noGrad;
  model_.module()->eval();
  for (int64_t i = 0; i < batches; ++i) {
    const auto batch = toDevice(source.next(opt_.batchSize, data::PairMode::Avc));
    CudaAutocast autocast(cuda_);
    values.push_back(score(batch).to(torch::kCPU, torch::kFloat));
    labels.push_back(batch.corresponds.to(torch::kCPU, torch::kFloat));
  }
  model_.module()->train();
  return {torch::cat(values), torch::cat(labels)};
}

double Trainer::fitCalibration(data::BatchSource& source, int64_t batches) {
  auto avol = nn::avolNet(model_);
  if (!avol) throw UsageError("calibration", "only AVOL-Net has a calibration to fit");
  // max over positions of a·s + b is a·max(s) + b for a > 0: a 1-D logistic
  // regression on the maxima.
  const auto [s, y] = scorePairs(source, batches, [&](const data::AvcBatch& batch) {
    return avol->similarity(avol->visualRegions(batch.images), avol->audioEmbedding(batch.spectrograms)).flatten(1).amax(1);
  });
  const LogisticFit f =
      fitMonotoneLogistic(s, y, 1.f, avol->calibration->weight.item<float>(), avol->calibration->bias.item<float>());
  torch::NoGradGuard noGrad;
  avol->calibration->weight.fill_(f.a);
  avol->calibration->bias.fill_(f.b);
  opt_.recipe["calibration"] = {{"a", f.a}, {"b", f.b}, {"pairs", s.size(0)}, {"avc_accuracy", f.accuracy}};
  spdlog::info("calibration fitted on {} pairs: {:.3f}·s {:+.3f}, AVC accuracy {:.3f}", s.size(0), f.a, f.b, f.accuracy);
  return f.accuracy;
}

double Trainer::fitDistanceHead(data::BatchSource& source, int64_t batches) {
  auto ave = nn::aveNet(model_);
  if (!ave) throw UsageError("distance head", "only AVE-Net has a distance head to fit");
  const auto [d, y] = scorePairs(source, batches, [&](const data::AvcBatch& batch) {
    const auto image = ave->imageEmbedding(batch.images).to(torch::kFloat);
    const auto audio = ave->audioEmbedding(batch.spectrograms).to(torch::kFloat);
    return (image - audio).pow(2).sum(1).sqrt();
  });
  // The head's "corresponds" minus "does not" logit is a·d + b with a < 0: a
  // larger distance never reads as a better match.
  const LogisticFit f = fitMonotoneLogistic(d, y, -1.f, 2.f, 0.f);
  torch::NoGradGuard noGrad;
  ave->distanceFc->weight.copy_(torch::tensor({{-f.a / 2}, {f.a / 2}}));
  ave->distanceFc->bias.copy_(torch::tensor({-f.b / 2, f.b / 2}));
  opt_.recipe["distance_head"] = {{"a", f.a}, {"b", f.b}, {"pairs", d.size(0)}, {"avc_accuracy", f.accuracy}};
  spdlog::info("distance head fitted on {} pairs: {:.3f}·d {:+.3f}, AVC accuracy {:.3f}", d.size(0), f.a, f.b, f.accuracy);
  return f.accuracy;
}

double Trainer::fitL3Head(data::BatchSource& source, int64_t batches) {
  auto l3 = nn::l3Net(model_);
  if (!l3) throw UsageError("L3 head", "only L3-Net has an L3 head to fit");
  const auto [s, y] = scorePairs(source, batches, [&](const data::AvcBatch& batch) {
    return correspondenceScores(model_, batch.images, batch.spectrograms);
  });
  const LogisticFit f = fitMonotoneLogistic(s, y, 1.f, 1.f, 0.f);
  // logit1 - logit0 = (w1 - w0)·h + (b1 - b0) = s; the new rows ±(a·(w1 - w0))/2
  // and biases ±(a·(b1 - b0) + b)/2 make it a·s + b.
  torch::NoGradGuard noGrad;
  auto& fc2 = l3->fc2;
  const auto w = (fc2->weight[1] - fc2->weight[0]) * (f.a / 2);
  const auto b = (fc2->bias[1] - fc2->bias[0]) * (f.a / 2) + f.b / 2;
  fc2->weight.copy_(torch::stack({-w, w}));
  fc2->bias.copy_(torch::stack({-b, b}));
  opt_.recipe["l3_head"] = {{"a", f.a}, {"b", f.b}, {"pairs", s.size(0)}, {"avc_accuracy", f.accuracy}};
  spdlog::info("L3 head fitted on {} pairs: {:.3f}·s {:+.3f}, AVC accuracy {:.3f}", s.size(0), f.a, f.b, f.accuracy);
  return f.accuracy;
}

json Trainer::card() const {
  json recipe = opt_.recipe.is_object() ? opt_.recipe : json::object();
  recipe["objective"] = toString(opt_.loss.objective);
  recipe["steps"] = step_;
  recipe["batch"] = opt_.batchSize;
  recipe["lr"] = opt_.schedule.base;
  recipe["lr_decay"] = opt_.schedule.decay;
  recipe["lr_decay_every_epochs"] = opt_.schedule.epochsPerStep;
  recipe["warmup_steps"] = opt_.schedule.warmupSteps;
  recipe["weight_decay"] = opt_.weightDecay;
  recipe["optimizer"] = "Adam";
  recipe["seed"] = opt_.seed;
  recipe["device"] = opt_.device;
  recipe["train_seconds"] = std::round(trainSeconds_ * 10) / 10;
  if (opt_.timeLimitSeconds > 0) recipe["time_limit_seconds"] = opt_.timeLimitSeconds;
  if (opt_.loss.objective == Objective::Contrastive) recipe["temperature"] = opt_.loss.temperature;
  if (opt_.loss.globalWeight > 0) recipe["global_weight"] = opt_.loss.globalWeight;
  if (opt_.loss.similarAudio > 0) recipe["similar_audio_not_negative"] = opt_.loss.similarAudio;
  if (opt_.loss.dropHardest > 0) recipe["drop_hardest_pairs"] = opt_.loss.dropHardest;
  if (opt_.loss.dropHardest > 0 && opt_.dropHardestRampSteps > 0) recipe["drop_hardest_ramp_steps"] = opt_.dropHardestRampSteps;
  if (opt_.weightAverageDecay > 0) {
    recipe["weight_average_decay"] = opt_.weightAverageDecay;
    recipe["weight_average_since_step"] = averagedSince_;  // > 0: added on a --resume at that step
  }
  if (!cuda_) recipe["threads"] = torch::get_num_threads();
  // Mixed precision changes the numbers a run produces (this session's setting).
  recipe["autocast"] = cuda_ || cpuBf16_ ? "bf16" : "off";
  if (opt_.distributed)
    recipe["data_parallel"] = {{"backend", opt_.distributed->backend()},
                               {"world_size", worldSize()},
                               {"global_batch", opt_.batchSize * worldSize()},
                               {"gradients", buckets_ ? "averaged, bucketed all-reduce overlapping backward (c10d::Reducer)"
                                                      : "averaged, one flat all-reduce per step"},
                               {"batchnorm", "per rank: each rank's batch statistics; running statistics from rank 0"},
                               {"contrastive_negatives", "all ranks (embeddings all-gathered)"},
                               {"data", "each rank samples with seed + rank"}};
  return {{"recipe", recipe}};
}

void Trainer::saveFinalModel() {
  nn::Model copy = model_;
  copy.card = card();
  nn::saveModel(copy, opt_.out, nn::WeightsPrecision::Auto);
}

// Fault injection for the crash-safety test: SOUNDSPOT_FAULT_CHECKPOINT_PAUSE_MS
// holds each checkpoint write half done, so that a kill lands inside it.
static void pauseForFaultInjection() {
  if (const char* ms = std::getenv("SOUNDSPOT_FAULT_CHECKPOINT_PAUSE_MS"))
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(ms)));
}

// Fault injection for the data-parallel tests: SOUNDSPOT_FAULT_RANK_EXIT=R:S
// makes rank R die (no clean-up, as a crash) before step S.
static void dieForFaultInjection(int rank, int64_t step) {
  const char* v = std::getenv("SOUNDSPOT_FAULT_RANK_EXIT");
  int r = -1;
  long long s = -1;
  if (v && std::sscanf(v, "%d:%lld", &r, &s) == 2 && r == rank && s == step) {
    std::fprintf(stderr, "rank %d: dying at step %lld (SOUNDSPOT_FAULT_RANK_EXIT)\n", rank, s);
    std::_Exit(3);
  }
}

void Trainer::saveCheckpoint() {
  const fs::path dir = checkpointDir(opt_.out);
  writeFolderAtomically(dir, "checkpoint", [&](const fs::path& tmp) {
    nn::Model copy = model_;
    copy.card = card();
    nn::saveModel(copy, tmp / "model", nn::WeightsPrecision::F32);  // exact for resume
    pauseForFaultInjection();
    torch::save(*optimizer_, (tmp / "optimizer.pt").string());
    torch::save(at::detail::getDefaultCPUGenerator().get_state(), (tmp / "rng.pt").string());
    if (!averaged_.empty()) torch::save(averaged_, (tmp / "averaged.pt").string());
    const json state = {{"step", step_}, {"arch", nn::toString(opt_.net.arch)}, {"width", opt_.net.width},
                        {"tower", nn::toString(opt_.net.tower)},
                        {"objective", toString(opt_.loss.objective)}, {"batch", opt_.batchSize}, {"seed", opt_.seed},
                        {"train_seconds", trainSeconds_}, {"world_size", worldSize()},
                        {"weight_average_since_step", averagedSince_}};
    writeFileAtomically(tmp / "state.json", state.dump(2) + "\n");
  });
  spdlog::info("checkpoint at step {} in {}", step_, dir.string());
}

void Trainer::loadCheckpoint() {
  const fs::path dir = checkpointDir(opt_.out);
  if (!fs::exists(dir / "state.json")) throw Error(dir.string(), "no checkpoint to resume from");
  json state;
  try {
    state = json::parse(readFile(dir / "state.json"));
  } catch (const json::exception& e) {
    throw Error((dir / "state.json").string(), std::string("not valid JSON (") + e.what() + ")");
  }
  if (state.value("arch", "") != nn::toString(opt_.net.arch) || state.value("width", 0) != opt_.net.width ||
      state.value("tower", "paper") != nn::toString(opt_.net.tower) ||
      state.value("objective", "") != toString(opt_.loss.objective))
    throw Error(dir.string(), "the checkpoint was made with arch " + state.value("arch", "?") + ", width " +
                                  std::to_string(state.value("width", 0)) + ", objective " + state.value("objective", "?") +
                                  ": resume with the same options");
  const nn::Model saved = nn::loadModel(dir / "model", "cpu");
  // A distillation resumed without its teacher (or a plain run with one)
  // would silently train on another objective.
  const json* savedTeacher = saved.card.is_object() && saved.card.contains("recipe") && saved.card["recipe"].contains("teacher")
                                 ? &saved.card["recipe"]["teacher"]
                                 : nullptr;
  if (savedTeacher && opt_.teacherFrom.empty())
    throw Error(dir.string(), "the checkpoint was trained with --teacher " + savedTeacher->value("path", std::string("?")) +
                                  ": resume with it");
  if (!savedTeacher && !opt_.teacherFrom.empty())
    throw Error(dir.string(), "the checkpoint was trained without a teacher: resume without --teacher");
  if (const double savedT = savedTeacher ? savedTeacher->value("distill_temperature", 0.0) : 0.0;
      savedTeacher && savedT != opt_.loss.distillTemperature)
    throw Error(dir.string(), fmt::format("the checkpoint was distilled with --distill-temperature {}: resume with it", savedT));
  // A resumed fine-tune still names its base model on the card.
  if (saved.card.is_object() && saved.card.contains("recipe"))
    for (const char* key : {"init", "base_model"})
      if (saved.card["recipe"].contains(key) && !opt_.recipe.contains(key)) opt_.recipe[key] = saved.card["recipe"][key];
  {
    torch::NoGradGuard noGrad;
    auto src = saved.module()->named_parameters(true);
    for (auto& p : model_.module()->named_parameters(true)) p.value().copy_(src[p.key()]);
    auto srcBuffers = saved.module()->named_buffers(true);
    for (auto& b : model_.module()->named_buffers(true)) b.value().copy_(srcBuffers[b.key()]);
  }
  try {
    torch::load(*optimizer_, (dir / "optimizer.pt").string());
    torch::Tensor rng;
    torch::load(rng, (dir / "rng.pt").string());
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the shared generator
    generator.set_state(rng);
    if (opt_.weightAverageDecay > 0 && fs::exists(dir / "averaged.pt")) {
      std::vector<torch::Tensor> averaged;
      torch::load(averaged, (dir / "averaged.pt").string());
      const auto targets = averagedTargets();
      if (averaged.size() != targets.size())
        throw Error((dir / "averaged.pt").string(), "holds " + std::to_string(averaged.size()) + " weight averages, the model has " +
                                                        std::to_string(targets.size()) + " tensors");
      for (size_t i = 0; i < targets.size(); ++i)
        if (!averaged[i].sizes().equals(targets[i].sizes()))
          throw Error((dir / "averaged.pt").string(), "weight average " + std::to_string(i) + " has the wrong shape");
      averaged_.clear();
      for (size_t i = 0; i < targets.size(); ++i) averaged_.push_back(averaged[i].to(targets[i].device(), targets[i].dtype()));
      averagedSince_ = state.value("weight_average_since_step", int64_t{0});
    }
  } catch (const c10::Error& e) {
    throw Error(dir.string(), std::string("damaged optimizer, RNG or weight-average state: ") + e.what_without_backtrace());
  }
  step_ = state.at("step").get<int64_t>();
  trainSeconds_ = state.value("train_seconds", 0.0);
  train_.seek(step_);
  // Another world size resumes too: the weights and optimizer are the same,
  // only the global batch (and each rank's data stream) changes.
  if (const int saved = state.value("world_size", 1); saved != worldSize())
    spdlog::info("checkpoint made by {} process(es), resuming with {}", saved, worldSize());
  spdlog::info("resumed from step {} ({})", step_, dir.string());
}

void Trainer::appendMetrics(const json& line) {
  fs::create_directories(opt_.out);
  std::ofstream log(opt_.out / "metrics.jsonl", std::ios::app);
  log << line.dump() << "\n";
}

TrainResult Trainer::run(Progress* progress, const CancelToken* cancel) {
  TrainResult result;
  const bool writer = rank() == 0;  // rank 0 alone validates and writes files
  if (writer) {
    fs::create_directories(opt_.out);
    if (!opt_.resume) fs::remove(opt_.out / "metrics.jsonl");
    else dropMetricsAfter(opt_.out / "metrics.jsonl", step_);  // steps after the checkpoint are trained again
  }
  double samplesPerSecond = 0;
  const auto started = std::chrono::steady_clock::now();
  auto lastCheckpoint = started;
  while (step_ < opt_.steps) {
    bool cancelled = cancel && cancel->cancelled();
    bool timeUp = opt_.timeLimitSeconds > 0 &&
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >= opt_.timeLimitSeconds;
    if (opt_.distributed) {
      // All ranks stop at the same step, or the others would wait for the one that left.
      const auto any = opt_.distributed->allReduceMax({cancelled ? 1.0 : 0.0, timeUp ? 1.0 : 0.0});
      cancelled = any[0] > 0;
      timeUp = any[1] > 0;
    }
    if (cancelled) {
      result.cancelled = true;
      break;
    }
    if (timeUp) {
      spdlog::info("time limit of {:.0f} s reached at step {}", opt_.timeLimitSeconds, step_);
      result.timeLimited = true;
      if (validation_ && writer) result.valAccuracy = validate(*validation_, opt_.valBatches);
      break;
    }
    dieForFaultInjection(rank(), step_);
    const StepStats s = trainStep();
    trainSeconds_ += opt_.batchSize / std::max(s.samplesPerSecond, 1e-9);
    samplesPerSecond = samplesPerSecond == 0 ? s.samplesPerSecond : 0.9 * samplesPerSecond + 0.1 * s.samplesPerSecond;
    result.loss = s.loss;
    result.trainAccuracy = s.accuracy;
    if (progress) {
      char note[96];
      std::snprintf(note, sizeof note, "loss %.4f acc %.2f", s.loss, s.accuracy);
      progress->set(step_, note);
    }
    if (!writer) continue;
    json line = {{"step", s.step}, {"loss", s.loss}, {"train_acc", s.accuracy}, {"lr", s.lr}, {"samples_per_s", s.samplesPerSecond}};
    if (s.offscreen) line["offscreen"] = *s.offscreen;
    if (s.droppedOffscreen) line["dropped_offscreen"] = *s.droppedOffscreen;
    if (s.distillation) line["distillation"] = *s.distillation;
    if (opt_.distributed) {
      line["world_size"] = worldSize();  // samples_per_s is per rank
      line["allreduce_s"] = s.allReduceSeconds;  // includes waiting for the slowest rank
    }
    const bool last = step_ == opt_.steps;
    if (validation_ && ((opt_.valEvery > 0 && step_ % opt_.valEvery == 0) || last)) {
      result.valAccuracy = validate(*validation_, opt_.valBatches);
      line["val_acc"] = *result.valAccuracy;
      if (lastValPointing_) line["val_pointing"] = *lastValPointing_;
    }
    appendMetrics(line);
    const bool stepDue = opt_.checkpointEvery > 0 && step_ % opt_.checkpointEvery == 0;
    const bool timeDue = opt_.checkpointSeconds > 0 &&
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - lastCheckpoint).count() >= opt_.checkpointSeconds;
    if ((stepDue || timeDue) && !last) {
      saveCheckpoint();
      lastCheckpoint = std::chrono::steady_clock::now();
    }
  }
  result.steps = step_;
  result.samplesPerSecond = samplesPerSecond;
  if (!writer) {
    if (progress) progress->stop();
    return result;
  }
  // Weight averaging: the checkpoint keeps the trained weights and their
  // averages for --resume; the model saved (and calibrated) is the averaged one.
  const bool averaging = !averaged_.empty();
  if (averaging) {
    saveCheckpoint();
    swapAveragedWeights();
    averaged_.clear();
  }
  // Also when stopped early: the saved model must read as a probability map.
  // Contrastive training leaves the decision heads untrained: fit them (towers frozen).
  if (opt_.loss.objective == Objective::Contrastive) {
    data::BatchSource& pairs = validation_ ? *validation_ : train_;
    const int64_t batches = std::max<int64_t>(8, opt_.valBatches);
    if (nn::avolNet(model_)) fitCalibration(pairs, batches);
    else if (nn::aveNet(model_)) fitDistanceHead(pairs, batches);
    else fitL3Head(pairs, batches);
  }
  if (!averaging) saveCheckpoint();
  saveFinalModel();
  if (progress) (result.cancelled || result.timeLimited) ? progress->stop() : progress->finish();
  return result;
}

}  // namespace soundspot::training
