#pragma once
// Fits how an ensemble of AVOL-Nets combines its members' calibrated map
// logits (nn::EnsembleCombination: a weight >= 0 per member and a bias) on
// audio-visual correspondence pairs, the self-supervised task itself: no
// labels, the same pairs as each member's own calibration. The members'
// mean weighs a member that is sure and right no more than one that is
// unsure, and its maps come out fainter than either member's where the two
// disagree on the peak; the fit restores a calibrated probability.
#include "core/common/Progress.h"
#include "core/data/BatchSource.h"
#include "core/nn/AvolEnsemble.h"

#include <torch/torch.h>

namespace soundspot::training {

struct EnsembleFitReport {
  nn::EnsembleCombination combination;
  int64_t pairs = 0;
  double avcAccuracy = 0, logLoss = 0;          // of the fitted combination on the pairs
  double meanAvcAccuracy = 0, meanLogLoss = 0;  // of the members' plain mean, for comparison
};

// The pure part: memberLogits P x N x K (each pair's N members' logits at K
// positions), labels P (1 = the audio belongs with the frame, 0 = not).
// Minimises the logistic loss of max_k (sum_i w_i x_ik) + b over w >= 0, b
// (full batch, deterministic), starting from the mean.
EnsembleFitReport fitEnsembleCombination(const torch::Tensor& memberLogits, const torch::Tensor& labels);

// Draws `batches` correspondence batches of `batchSize` from `pairs`, scores
// them with every member of `ensemble` and fits its combination (set on it).
// Advances `progress` by one per batch; throws Error "cancelled" when
// `cancel` is set between batches.
EnsembleFitReport fitEnsembleCombination(nn::AvolEnsembleImpl& ensemble, data::BatchSource& pairs, int64_t batches,
                                         int64_t batchSize, Progress* progress = nullptr,
                                         const CancelToken* cancel = nullptr);

}  // namespace soundspot::training
