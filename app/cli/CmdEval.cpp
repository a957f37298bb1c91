// `soundspot-cli eval`: the paper's evaluation suite of a model folder on a
// dataset folder (or an ensemble of model folders); prints the JSON report
// on stdout.
#include "app/cli/Command.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/Dataset.h"
#include "core/eval/EvaluateModel.h"
#include "core/eval/Ontology.h"
#include "core/nn/Device.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <vector>

namespace soundspot::cli {
namespace {

struct EvalArgs {
  std::vector<std::string> models;
  std::string data, json, dump, ontology, device = "auto";
  eval::EvalOptions opts;
  bool untrained = true;
};

void runEval(const EvalArgs& a) {
  std::vector<std::filesystem::path> models;
  for (const auto& m : a.models) {
    if (!std::filesystem::is_directory(m)) throw UsageError(m, "is not a model folder");
    models.emplace_back(m);
  }
  if (!std::filesystem::is_directory(a.data)) throw UsageError(a.data, "is not a dataset folder");
  const std::string device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
  const eval::Ontology ontology = a.ontology.empty() ? eval::Ontology::loadAudioSet() : eval::Ontology::load(a.ontology);
  const data::Dataset dataset =
      data::loadDataset(a.data, [&](const std::string& label) { return ontology.hasName(label); });
  CancelToken cancel;
  cancelOnSignal(cancel);
  eval::EvalOptions opts = a.opts;
  opts.dumpDir = a.dump;
  const nlohmann::json report = eval::evaluateModelFolders(models, dataset, ontology, opts, device, a.untrained, &cancel);
  const std::string text = report.dump(2) + "\n";
  if (!a.json.empty()) writeFileAtomically(a.json, text);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

CommandRegistration reg("eval", [](CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a model on a dataset folder (AVC accuracy, retrieval nDCG, localization)");
  cmd->add_option("--model", args->models,
                  "Model folder (card.json + weights); repeat it to evaluate an ensemble of models of one "
                  "architecture (mean of their logits, embeddings side by side)")
      ->required();
  cmd->add_option("--data", args->data, "Dataset folder (dataset.json)")->required();
  cmd->add_option("--split", args->opts.split, "Split (train, val, test) or subset (test-seen, test-unseen) to evaluate on")
      ->check(CLI::IsMember({"train", "val", "test", "test-seen", "test-unseen"}));
  cmd->add_option("--train-split", args->opts.trainSplit, "Split on which L3-Net's CCA is fitted")
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--json", args->json, "Also write the report to this file");
  cmd->add_option("--dump", args->dump, "Write emb_image.npy, emb_audio.npy, relevance.npy and ids.json here");
  cmd->add_option("--ontology", args->ontology, "AudioSet ontology JSON (default: the bundled copy)");
  cmd->add_option("--seed", args->opts.seed, "Seed of the AVC pairs, mismatched audio and random baselines");
  cmd->add_option("--device", args->device, "auto | cpu | cuda");
  cmd->add_option("--batch", args->opts.batchSize, "Inference batch size")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", args->opts.threads, "Decoding threads")->check(CLI::PositiveNumber);
  cmd->add_option("--pairs-per-clip", args->opts.avcPairsPerClip, "AVC pairs per clip")->check(CLI::PositiveNumber);
  cmd->add_flag("!--no-untrained", args->untrained, "Skip mismatch_auroc_untrained (fresh network reference)");
  cmd->callback([args] { runEval(*args); });
});

}  // namespace
}  // namespace soundspot::cli
