// `soundspot-cli ensemble --model A --model B --out DIR [--scenes PACK]`:
// one model folder that holds several AVOL-Nets and loads as one
// (core/nn/EnsembleFolder.h): the viewer, localize, index, search, eval and
// report take it like any model folder. With --scenes the members' weights
// and a bias are fitted on correspondence pairs of the pack's validation
// scenes (training/EnsembleFit.h); without it they are averaged.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/data/SceneSource.h"
#include "core/nn/AvolEnsemble.h"
#include "core/nn/EnsembleFolder.h"
#include "training/EnsembleFit.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace soundspot::cli {
namespace {

struct EnsembleArgs {
  std::vector<std::string> models;
  std::string out, scenes;
  int64_t pairs = 1024;
  uint64_t seed = 1;
};

// Fits the combination on the pack's validation pairs; the report goes into the card.
nn::EnsembleFitter fitterFor(const EnsembleArgs& a, CancelToken& cancel) {
  return [&a, &cancel](nn::Model& ensemble) -> nlohmann::json {
    auto* impl = dynamic_cast<nn::AvolEnsembleImpl*>(ensemble.avol.get());
    if (!impl) throw Error("ensemble", "not an ensemble of AVOL-Nets");
    constexpr int64_t kBatch = 32;
    const int64_t batches = (a.pairs + kBatch - 1) / kBatch;
    const auto source = data::openSceneSource(a.scenes, "val", "cpu", a.seed);
    Progress progress("fit", batches, Progress::terminalBar("fit"));
    const training::EnsembleFitReport r =
        training::fitEnsembleCombination(*impl, *source, batches, kBatch, &progress, &cancel);
    progress.finish();
    std::string weights;
    for (double w : r.combination.weights) weights += (weights.empty() ? "" : ", ") + fmt::format("{:.3f}", w);
    spdlog::info("combination fitted on {} pairs: weights [{}], bias {:+.3f}; AVC accuracy {:.3f} (mean of the members: {:.3f})",
                 r.pairs, weights, r.combination.bias, r.avcAccuracy, r.meanAvcAccuracy);
    return {{"scenes", a.scenes}, {"split", "val"}, {"seed", a.seed}, {"pairs", r.pairs},
            {"avc_accuracy", r.avcAccuracy}, {"log_loss", r.logLoss},
            {"mean_avc_accuracy", r.meanAvcAccuracy}, {"mean_log_loss", r.meanLogLoss}};
  };
}

void runEnsemble(const EnsembleArgs& a) {
  namespace fs = std::filesystem;
  std::vector<fs::path> members;
  nlohmann::json command = nlohmann::json::array({"soundspot-cli", "ensemble"});
  // The folder is replaced whole: never over something that is not a model
  // folder, nor over a folder that holds one of the members.
  if (fs::exists(a.out) && !fs::is_regular_file(fs::path(a.out) / "card.json") &&
      !(fs::is_directory(a.out) && fs::is_empty(a.out)))
    throw UsageError(a.out, "exists and is not a model folder (--out is replaced whole)");
  const fs::path out = fs::weakly_canonical(fs::absolute(a.out));
  for (const auto& m : a.models) {
    if (!fs::is_directory(m)) throw UsageError(m, "is not a model folder");
    const fs::path member = fs::weakly_canonical(fs::absolute(m));
    // `out` is `member` or a folder above it.
    if (std::mismatch(out.begin(), out.end(), member.begin(), member.end()).first == out.end())
      throw UsageError(a.out, "holds the member " + m + " (--out is replaced whole)");
    members.emplace_back(m);
    command.push_back("--model");
    command.push_back(m);
  }
  command.push_back("--out");
  command.push_back(a.out);
  if (a.pairs < 2) throw UsageError("--pairs", "needs at least 2 pairs");
  if (!a.scenes.empty()) {
    for (const char* flag : {"--scenes", a.scenes.c_str(), "--pairs"}) command.push_back(flag);
    command.push_back(std::to_string(a.pairs));
    command.push_back("--seed");
    command.push_back(std::to_string(a.seed));
  }
  CancelToken cancel;
  cancelOnSignal(cancel);
  nn::writeEnsembleFolder(members, a.out, {{"command", command}},
                          a.scenes.empty() ? nn::EnsembleFitter{} : fitterFor(a, cancel));
  std::printf("%s\n", nlohmann::json({{"ensemble", fs::absolute(a.out).lexically_normal().string()},
                                      {"members", members.size()}})
                          .dump()
                          .c_str());
}

CommandRegistration reg("ensemble", [](CLI::App& app) {
  auto args = std::make_shared<EnsembleArgs>();
  auto* cmd = app.add_subcommand(
      "ensemble", "Combine separately trained AVOL-Nets into one model folder (the mean of their maps, or a fitted weighting)");
  cmd->add_option("--model", args->models, "AVOL-Net model folder; repeat it for every member")->required();
  cmd->add_option("--out", args->out, "Ensemble model folder to write (replaced atomically)")->required();
  auto* scenes = cmd->add_option("--scenes", args->scenes,
                                 "Scene asset pack: fit the members' weights and a bias on correspondence pairs of "
                                 "its validation scenes (no labels) instead of averaging them");
  cmd->add_option("--pairs", args->pairs, "Correspondence pairs to fit on (with --scenes)")
      ->capture_default_str()
      ->needs(scenes);
  cmd->add_option("--seed", args->seed, "Seed of the validation scenes drawn (with --scenes)")
      ->capture_default_str()
      ->needs(scenes);
  cmd->callback([args] { runEnsemble(*args); });
});

}  // namespace
}  // namespace soundspot::cli
