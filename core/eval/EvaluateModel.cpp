#include "core/eval/EvaluateModel.h"

#include "core/common/Error.h"
#include "core/eval/EnsembleNetwork.h"
#include "core/eval/EvalNetwork.h"
#include "core/nn/EnsembleFolder.h"
#include "core/nn/Model.h"

#include <algorithm>

namespace soundspot::eval {

nlohmann::json evaluateModelFolder(const std::filesystem::path& modelDir, const data::Dataset& dataset,
                                   const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                   bool withUntrained, const CancelToken* cancel) {
  return evaluateModelFolders({modelDir}, dataset, ontology, opts, device, withUntrained, cancel);
}

nlohmann::json evaluateModelFolders(const std::vector<std::filesystem::path>& modelDirs, const data::Dataset& dataset,
                                    const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                    bool withUntrained, const CancelToken* cancel) {
  if (modelDirs.empty()) throw Error("eval", "no model folder to evaluate");
  std::vector<nn::Model> models;
  for (const auto& dir : modelDirs) {
    if (!std::filesystem::is_directory(dir)) throw UsageError(dir.string(), "is not a model folder");
    models.push_back(nn::loadModel(dir, device));
  }
  const bool allAvol = std::all_of(models.begin(), models.end(), [](const nn::Model& m) { return m.config.arch == nn::Arch::Avol; });
  std::unique_ptr<EvalNetwork> fresh;
  if (withUntrained && models.front().config.arch == nn::Arch::Avol) fresh = makeUntrainedNetwork(models.front(), opts.seed);
  std::unique_ptr<EvalNetwork> net;
  if (models.size() > 1 && allAvol) {
    // One network with the mean map: the same figures as the ensemble folder
    // that `soundspot-cli ensemble` makes of these members.
    net = makeEvalNetwork(nn::ensembleOf(std::move(models), nlohmann::json::object()));
  } else {
    std::vector<std::unique_ptr<EvalNetwork>> members;
    for (const auto& m : models) members.push_back(makeEvalNetwork(m));
    net = makeEnsembleNetwork(std::move(members));
  }
  nlohmann::json report = evaluate(*net, fresh.get(), dataset, ontology, opts, cancel);
  if (modelDirs.size() > 1) {
    report["ensemble"] = nlohmann::json::array();
    for (const auto& dir : modelDirs) report["ensemble"].push_back(dir.string());
  }
  return report;
}

}  // namespace soundspot::eval
