#include "training/Objectives.h"

#include "core/common/Error.h"

#include <cmath>
#include <limits>
#include <utility>

namespace soundspot::training {

namespace F = torch::nn::functional;

Objective parseObjective(const std::string& text) {
  if (text == "avc") return Objective::Avc;
  if (text == "contrastive") return Objective::Contrastive;
  throw UsageError("--objective", "expected avc or contrastive, got '" + text + "'");
}

std::string toString(Objective objective) { return objective == Objective::Avc ? "avc" : "contrastive"; }

double avcAccuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return logits.gt(0).to(torch::kFloat).eq(labels).to(torch::kFloat).mean().item<double>();
}

namespace {

// similarity / temperature with the pairs that are not negatives (other
// pieces of the row's own recording, `notNegative`) pushed out of the softmax.
torch::Tensor maskedLogits(const torch::Tensor& similarity, const torch::Tensor& audioIdentity, double temperature,
                           const torch::Tensor& notNegative = {}) {
  const int64_t n = similarity.size(0);
  const auto ids = audioIdentity.to(similarity.device(), torch::kLong);
  auto excluded = ids.unsqueeze(1).eq(ids.unsqueeze(0));
  if (notNegative.defined()) excluded = excluded.logical_or(notNegative.to(similarity.device(), torch::kBool));
  const auto eye = torch::eye(n, torch::TensorOptions().dtype(torch::kBool).device(similarity.device()));
  const auto masked = excluded.logical_and(eye.logical_not());
  // -inf would turn a fully masked row into NaN; a large negative number
  // gives exactly the same softmax for the rows that keep any negative.
  return (similarity.to(torch::kFloat) / temperature).masked_fill(masked, -1e9);
}

// KL(softmax(teacher) || softmax(student)) along `dim`, one value per slice.
torch::Tensor klDivergence(const torch::Tensor& studentLogits, const torch::Tensor& teacherLogits, int64_t dim) {
  const auto teacherLog = F::log_softmax(teacherLogits, F::LogSoftmaxFuncOptions(dim));
  return (teacherLog.exp() * (teacherLog - F::log_softmax(studentLogits, F::LogSoftmaxFuncOptions(dim)))).sum(dim);
}

}  // namespace

torch::Tensor contrastivePairLosses(const torch::Tensor& similarity, const torch::Tensor& audioIdentity, double temperature,
                                    const torch::Tensor& notNegative) {
  const int64_t n = similarity.size(0);
  const auto logits = maskedLogits(similarity, audioIdentity, temperature, notNegative);
  const auto target = torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(similarity.device()));
  const auto none = F::CrossEntropyFuncOptions().reduction(torch::kNone);
  return 0.5 * (F::cross_entropy(logits, target, none) + F::cross_entropy(logits.t(), target, none));
}

torch::Tensor distillationPairLosses(const torch::Tensor& studentPerRegion, const torch::Tensor& teacherPerRegion,
                                     const torch::Tensor& audioIdentity, double temperature) {
  const auto teacher = teacherPerRegion.detach().to(torch::kFloat);
  const auto student = studentPerRegion.to(torch::kFloat);
  const auto s = maskedLogits(student.amax(2), audioIdentity, temperature);
  const auto t = maskedLogits(teacher.amax(2), audioIdentity, temperature);
  const auto matching = 0.5 * (klDivergence(s, t, 1) + klDivergence(s.t(), t.t(), 1));
  const auto where = klDivergence(student.diagonal(0, 0, 1).t() / temperature, teacher.diagonal(0, 0, 1).t() / temperature, 1);
  return 0.5 * (matching + where);
}

torch::Tensor meanWithoutHighest(const torch::Tensor& losses, double fraction, torch::Tensor* dropped) {
  const int64_t n = losses.size(0);
  const int64_t drop = std::min<int64_t>(n - 1, static_cast<int64_t>(std::floor(fraction * double(n) + 0.5)));
  auto out = torch::zeros({n}, torch::TensorOptions().dtype(torch::kBool).device(losses.device()));
  if (drop > 0) out.index_fill_(0, std::get<1>(losses.detach().topk(drop)), true);
  if (dropped) *dropped = out;
  return drop > 0 ? losses.masked_select(out.logical_not()).mean() : losses.mean();
}

double dropHardestFractionAt(double fraction, int64_t rampSteps, int64_t step) {
  if (rampSteps <= 0 || step >= rampSteps) return fraction;
  return fraction * double(std::max<int64_t>(0, step)) / double(rampSteps);
}

torch::Tensor similarAudioPairs(const torch::Tensor& audio, const torch::Tensor& audioIdentity, int64_t k) {
  torch::NoGradGuard noGrad;
  const int64_t n = audio.size(0);
  const auto a = audio.detach().to(torch::kFloat);
  const auto ids = audioIdentity.to(a.device(), torch::kLong);
  const auto sameSource = ids.unsqueeze(1).eq(ids.unsqueeze(0));  // includes the diagonal
  const auto candidates = sameSource.logical_not();
  const int64_t take = std::min<int64_t>(k, n - 1);
  auto pairs = torch::zeros({n, n}, torch::TensorOptions().dtype(torch::kBool).device(a.device()));
  if (take <= 0) return pairs;
  const auto cosine = torch::mm(a, a.t()).masked_fill(sameSource, -std::numeric_limits<float>::infinity());
  const auto nearest = std::get<1>(cosine.topk(take, 1));
  pairs.scatter_(1, nearest, true);
  pairs = pairs.logical_and(candidates);  // a row with fewer than k other recordings picked masked entries
  return pairs.logical_or(pairs.t());
}

torch::Tensor correspondenceScores(const nn::Model& model, const torch::Tensor& images, const torch::Tensor& spectrograms) {
  if (auto avol = nn::avolNet(model)) return avol->forward(images, spectrograms).logit.to(torch::kFloat);
  torch::Tensor logits;
  if (auto ave = nn::aveNet(model)) logits = ave->forward(images, spectrograms);
  else logits = nn::l3Net(model)->forward(images, spectrograms);
  logits = logits.to(torch::kFloat);
  return logits.select(1, 1) - logits.select(1, 0);
}

LossResult computeLoss(const nn::Model& model, const LossSettings& settings, const data::AvcBatch& batch,
                       const GatherFn& gather) {
  LossResult result;
  const double temperature = settings.temperature;
  if (settings.objective == Objective::Contrastive) {
    // Across ranks: the embeddings (not the images) are gathered, so every
    // rank scores the whole global batch and its frames meet every rank's audio.
    auto all = [&](const torch::Tensor& t) { return gather ? gather(t) : t; };
    const auto ids = all(batch.audioIdentity.to(torch::kLong));
    // Pairs left out of the negatives (--similar-audio-not-negative), from the audio embeddings.
    auto likelyFalseNegatives = [&](const torch::Tensor& audio) {
      return settings.similarAudio > 0 ? similarAudioPairs(audio, ids, settings.similarAudio) : torch::Tensor();
    };
    // The mean over the pairs, without the hardest ones when asked (--drop-hardest-pairs).
    torch::Tensor dropped;
    auto reduce = [&](const torch::Tensor& losses) { return meanWithoutHighest(losses, settings.dropHardest, &dropped); };
    torch::Tensor similarity;
    if (auto avol = nn::avolNet(model)) {
      // Unit-length regions (B x C x P) and audio embeddings (B x C) of a network, gathered across ranks.
      auto unitEmbeddings = [&](nn::AvolNet net) {
        return std::pair{
            all(F::normalize(net->visualRegions(batch.images).to(torch::kFloat), F::NormalizeFuncOptions().dim(1)).flatten(2)),
            all(F::normalize(net->audioEmbedding(batch.spectrograms).to(torch::kFloat), F::NormalizeFuncOptions().dim(1)))};
      };
      const auto [regions, audio] = unitEmbeddings(avol);
      const auto notNegative = likelyFalseNegatives(audio);
      const auto perRegion = torch::einsum("icp,jc->ijp", {regions, audio});
      similarity = perRegion.amax(2);
      result.loss = reduce(contrastivePairLosses(similarity, ids, temperature, notNegative));
      if (settings.teacher && settings.distillWeight > 0) {
        torch::Tensor teacherPerRegion;
        {
          torch::NoGradGuard noGrad;
          const auto [teacherRegions, teacherAudio] = unitEmbeddings(nn::avolNet(*settings.teacher));
          teacherPerRegion = torch::einsum("icp,jc->ijp", {teacherRegions, teacherAudio});
        }
        const double t = settings.distillationTemperature();
        const auto distill = distillationPairLosses(perRegion, teacherPerRegion, ids, t).mean() * ((t / temperature) * (t / temperature));
        result.distillation = distill.item<double>();
        result.loss = result.loss + settings.distillWeight * distill;
      }
      if (settings.globalWeight > 0)
        result.loss = result.loss + settings.globalWeight * contrastivePairLosses(perRegion.mean(2), ids, temperature, notNegative)
                                                                .masked_select(dropped.logical_not())
                                                                .mean();
    } else if (auto ave = nn::aveNet(model)) {
      const auto image = all(ave->imageEmbedding(batch.images).to(torch::kFloat));
      const auto audio = all(ave->audioEmbedding(batch.spectrograms).to(torch::kFloat));
      similarity = torch::mm(image, audio.t());
      const auto notNegative = likelyFalseNegatives(audio);
      result.loss = reduce(contrastivePairLosses(similarity, ids, temperature, notNegative));
    } else {
      // L3-Net has no embedding to compare: its head scores every frame
      // against every audio. The score is an unbounded logit, not a cosine,
      // so no temperature divides it.
      auto l3 = nn::l3Net(model);
      const auto image = all(l3->imageFeatures(batch.images).to(torch::kFloat));
      const auto audio = all(l3->audioFeatures(batch.spectrograms).to(torch::kFloat));
      similarity = l3->pairScores(image, audio);
      result.loss =
          reduce(contrastivePairLosses(similarity, ids, 1.0, likelyFalseNegatives(F::normalize(audio, F::NormalizeFuncOptions().dim(1)))));
    }
    if (settings.dropHardest > 0 && batch.soundingBoxes.defined() && !gather) {  // one process: the boxes are the batch's
      const auto offscreen = batch.soundingBoxes.select(1, 0).lt(0).to(dropped.device());
      result.offscreen = offscreen.to(torch::kFloat).mean().item<double>();
      if (dropped.any().item<bool>())
        result.droppedOffscreen = offscreen.masked_select(dropped).to(torch::kFloat).mean().item<double>();
    }
    const auto target = torch::arange(similarity.size(0), torch::TensorOptions().dtype(torch::kLong).device(similarity.device()));
    result.accuracy = similarity.argmax(1).eq(target).to(torch::kFloat).mean().item<double>();
    return result;
  }
  const auto labels = batch.corresponds.to(torch::kFloat);
  if (auto avol = nn::avolNet(model)) {
    const auto logit = avol->forward(batch.images, batch.spectrograms).logit.to(torch::kFloat);
    result.loss = F::binary_cross_entropy_with_logits(logit, labels);
    result.accuracy = avcAccuracy(logit, labels);
    return result;
  }
  torch::Tensor logits = nn::aveNet(model) ? nn::aveNet(model)->forward(batch.images, batch.spectrograms)
                                           : nn::l3Net(model)->forward(batch.images, batch.spectrograms);
  logits = logits.to(torch::kFloat);
  const auto target = labels.gt(0.5).to(torch::kLong);
  result.loss = F::cross_entropy(logits, target);
  result.accuracy = logits.argmax(1).eq(target).to(torch::kFloat).mean().item<double>();
  return result;
}

}  // namespace soundspot::training
