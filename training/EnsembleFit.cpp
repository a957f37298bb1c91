#include "training/EnsembleFit.h"

#include "core/common/Error.h"
#include "training/Objectives.h"

#include <cmath>

namespace soundspot::training {
namespace {

struct Scored {
  double accuracy, logLoss;
};

Scored score(const torch::Tensor& logits, const torch::Tensor& labels) {
  return {avcAccuracy(logits, labels), torch::binary_cross_entropy_with_logits(logits, labels).item<double>()};
}

}  // namespace

EnsembleFitReport fitEnsembleCombination(const torch::Tensor& memberLogits, const torch::Tensor& labels) {
  if (memberLogits.dim() != 3 || labels.dim() != 1 || memberLogits.size(0) != labels.size(0) || labels.size(0) == 0)
    throw Error("ensemble fit", "needs P x N x K member logits and P labels, P > 0");
  const torch::Tensor x = memberLogits.to(torch::kFloat).detach(), y = labels.to(torch::kFloat).detach();
  const double positives = y.sum().item<double>();
  if (positives == 0 || positives == static_cast<double>(y.size(0)))
    throw Error("ensemble fit", "needs both matching and mismatched pairs");
  const int64_t n = x.size(1);
  torch::AutoGradMode grad(true);
  // w = softplus(u) keeps every weight >= 0; u starts where w = 1/N (the mean).
  const double start = std::log(std::expm1(1.0 / static_cast<double>(n)));
  torch::Tensor u = torch::full({n}, start, torch::kFloat).requires_grad_(true);
  torch::Tensor b = torch::zeros({1}, torch::kFloat).requires_grad_(true);
  auto logitsOf = [&](const torch::Tensor& w, const torch::Tensor& bias) {
    return (x * w.view({1, -1, 1})).sum(1).amax(1) + bias;
  };
  torch::optim::Adam optimiser({u, b}, torch::optim::AdamOptions(0.05));
  for (int step = 0; step < 1500; ++step) {
    optimiser.zero_grad();
    const auto loss = torch::binary_cross_entropy_with_logits(logitsOf(torch::softplus(u), b), y);
    loss.backward();
    optimiser.step();
  }
  torch::NoGradGuard noGrad;
  EnsembleFitReport report;
  const torch::Tensor w = torch::softplus(u);
  for (int64_t i = 0; i < n; ++i) report.combination.weights.push_back(w[i].item<double>());
  report.combination.bias = b.item<double>();
  report.pairs = y.size(0);
  const Scored fitted = score(logitsOf(w, b), y);
  const Scored mean = score(x.mean(1).amax(1), y);
  report.avcAccuracy = fitted.accuracy;
  report.logLoss = fitted.logLoss;
  report.meanAvcAccuracy = mean.accuracy;
  report.meanLogLoss = mean.logLoss;
  return report;
}

EnsembleFitReport fitEnsembleCombination(nn::AvolEnsembleImpl& ensemble, data::BatchSource& pairs, int64_t batches,
                                         int64_t batchSize, Progress* progress, const CancelToken* cancel) {
  std::vector<torch::Tensor> logits, labels;
  {
    torch::NoGradGuard noGrad;
    ensemble.eval();
    for (int64_t i = 0; i < batches; ++i) {
      if (cancel && cancel->cancelled()) throw Error("ensemble fit", "cancelled");
      const data::AvcBatch batch = pairs.next(batchSize, data::PairMode::Avc);
      const auto m = ensemble.memberLogits(ensemble.visualRegions(batch.images), ensemble.audioEmbedding(batch.spectrograms));
      logits.push_back(m.flatten(2).to(torch::kCPU, torch::kFloat));
      labels.push_back(batch.corresponds.to(torch::kCPU, torch::kFloat));
      if (progress) progress->advance();
    }
  }
  EnsembleFitReport report = fitEnsembleCombination(torch::cat(logits), torch::cat(labels));
  ensemble.setCombination(report.combination);
  return report;
}

}  // namespace soundspot::training
