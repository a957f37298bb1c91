#pragma once
// Training objectives on a batch of (frame, audio) pairs.
//  avc         the paper's audio-visual correspondence task: AVE-Net/L3-Net
//              cross-entropy over 2 classes, AVOL-Net logistic loss on the
//              max-pooled map logit. Needs PairMode::Avc batches.
//  contrastive EZ-VSL style: every frame of the batch against every audio;
//              symmetric cross-entropy of the similarity matrix / temperature,
//              positives on the diagonal. AVOL-Net: max over the 14x14
//              positions of cosine(region, audio); AVE-Net: cosine of the
//              global embeddings; L3-Net: its head's correspondence logit of
//              every (frame, audio) pair, not divided by the temperature.
//              Needs PairMode::PositivesOnly batches.
#include "core/data/BatchSource.h"
#include "core/nn/Model.h"

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace soundspot::training {

enum class Objective { Avc, Contrastive };
Objective parseObjective(const std::string& text);  // throws UsageError
std::string toString(Objective objective);

struct LossResult {
  torch::Tensor loss;  // scalar, differentiable
  double accuracy = 0; // fraction of pairs classified right (avc) or of
                       // frames whose own audio is the best match (contrastive)
  // With LossSettings::dropHardest and ground truth in the batch (scenes), in
  // one process, a diagnostic never used by the loss: the fraction of the
  // dropped pairs, and of all pairs, whose sound comes from no visible object.
  std::optional<double> droppedOffscreen, offscreen;
  std::optional<double> distillation;  // the distillation term before its weight (LossSettings::teacher)
};

// The fraction of pairs whose logit (> 0: "the audio belongs with the
// frame") agrees with the label (1 or 0): the AVC accuracy of a score.
double avcAccuracy(const torch::Tensor& logits, const torch::Tensor& labels);

// Symmetric InfoNCE on a B x B similarity matrix (rows: frames, columns:
// audio; positives on the diagonal). Off-diagonal pairs whose audio comes
// from the same recording as the row's (or column's) own audio are not
// negatives: they are masked out, and so are the pairs set in `notNegative`
// (B x B bool, optional; see similarAudioPairs). One loss per pair (B values;
// their mean is the batch's loss): pair i's is the mean of row i's and
// column i's cross-entropy.
torch::Tensor contrastivePairLosses(const torch::Tensor& similarity, const torch::Tensor& audioIdentity, double temperature,
                                    const torch::Tensor& notNegative = {});

// Noisy correspondences: in scenes as in real video, a frame's audio is
// often not made by anything in it (an off-screen source, a still picture
// with an unrelated sound). With the max over positions such a pair trains
// some region, usually the background, towards a random sound. Once the
// towers know the easy pairs, those pairs have the highest loss; leaving out
// the `fraction` of the batch with the highest loss (no gradient through the
// choice) is the small-loss trick of learning with noisy labels. Returns the
// mean of the kept losses and, in `dropped`, which pairs were left out.
// Distillation (contrastive AVOL-Net with a teacher): an ensemble of
// separately trained AVOL-Nets points at held-out instances better than its
// members, at the cost of one forward pass per member. A single network
// trained to answer like the ensemble may keep part of that gain. Both
// arguments are B x B x P cosines (frame i's P regions against audio j).
// Pair i's loss is the mean of two Kullback-Leibler divergences from the
// teacher's distribution to the student's, both at `temperature`: which
// audio goes with frame i and which frame with audio i (the max over
// positions, masked like contrastivePairLosses), and where in frame i its
// own audio is (softmax over the P positions). Gradients reach the student only.
torch::Tensor distillationPairLosses(const torch::Tensor& studentPerRegion, const torch::Tensor& teacherPerRegion,
                                     const torch::Tensor& audioIdentity, double temperature);

torch::Tensor meanWithoutHighest(const torch::Tensor& losses, double fraction, torch::Tensor* dropped = nullptr);
// From scratch every pair is hard, so the pairs left out are not yet the
// noisy ones: co-teaching's schedule raises the fraction linearly from 0 at
// step 0 to `fraction` at `rampSteps` (0: the full fraction from the start).
double dropHardestFractionAt(double fraction, int64_t rampSteps, int64_t step);

// Label-free false negatives: (i, j) is set when audio j is among the k
// audios most similar to audio i (cosine of the B x C L2-normalised audio
// embeddings, no gradient), or the other way round; other pieces of the
// same recording do not count towards k (they are masked anyway). In a batch
// of scenes another recording of the same kind of sound (another dog
// barking) is a false negative: pushing its frame away from the audio
// teaches the towers to tell instances apart rather than kinds of object.
// The nearest audios are the likeliest such pairs; no label is used.
torch::Tensor similarAudioPairs(const torch::Tensor& audio, const torch::Tensor& audioIdentity, int64_t k);

// B correspondence scores, > 0 = "corresponds" (AVE/L3: logit1 - logit0;
// AVOL: the max-pooled calibrated logit).
torch::Tensor correspondenceScores(const nn::Model& model, const torch::Tensor& images, const torch::Tensor& spectrograms);

// globalWeight (contrastive AVOL-Net only): adds that much of the same loss
// on the mean over positions instead of the max. The max alone sends the
// gradient through one region per pair, a random one at first, and sits on
// a long plateau; the mean trains every region from the first step, and the
// max then sharpens the map (README, Training objectives). The mean also
// trains the background towards the clip's sound: warm-started from
// AVE-Net's towers, AVOL-Net needs no mean and localizes better without it.
//
// gather (contrastive, data-parallel): concatenates a tensor of every rank
// along dim 0 with the gradient flowing into this rank's own slot
// (Distributed::allGather). The loss is then the whole global batch's, the
// same on every rank, and its gradient reaches only the local embeddings:
// the sum of the ranks' gradients is the global batch's gradient (the
// trainer scales the loss by the world size before averaging). avc needs
// no gather: its loss is a mean over independent pairs.
using GatherFn = std::function<torch::Tensor(const torch::Tensor&)>;
struct LossSettings {
  Objective objective = Objective::Avc;
  double temperature = 0.07;   // contrastive
  double globalWeight = 0;     // contrastive AVOL-Net (above)
  int64_t similarAudio = 0;    // contrastive: k of similarAudioPairs (0: off)
  double dropHardest = 0;      // contrastive: fraction of pairs left out by meanWithoutHighest (0: off)
  // Contrastive AVOL-Net: an AVOL-Net or an ensemble of them (in eval mode,
  // on the training device) whose similarities are matched with distillationPairLosses,
  // added with this weight to every pair's loss (null or 0: off).
  std::shared_ptr<const nn::Model> teacher;
  double distillWeight = 0;
  // The temperature of both distributions in the distillation term (0: the
  // contrastive temperature). A higher one also passes on how the teacher
  // ranks the wrong answers; the term is then scaled by (T / temperature)^2
  // so that its gradients keep their size (Hinton et al., 2015).
  double distillTemperature = 0;
  double distillationTemperature() const { return distillTemperature > 0 ? distillTemperature : temperature; }
};
LossResult computeLoss(const nn::Model& model, const LossSettings& settings, const data::AvcBatch& batch,
                       const GatherFn& gather = nullptr);

}  // namespace soundspot::training
