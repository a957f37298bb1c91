#include "core/eval/EvaluateModel.h"

#include "core/common/Error.h"
#include "core/eval/EnsembleNetwork.h"
#include "core/eval/EvalNetwork.h"
#include "core/nn/Model.h"

namespace soundspot::eval {

nlohmann::json evaluateModelFolder(const std::filesystem::path& modelDir, const data::Dataset& dataset,
                                   const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                   bool withUntrained, const CancelToken* cancel) {
  return evaluateModelFolders({modelDir}, dataset, ontology, opts, device, withUntrained, cancel);
}

nlohmann::json evaluateModelFolders(const std::vector<std::filesystem::path>& modelDirs, const data::Dataset& dataset,
                                    const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                    bool withUntrained, const CancelToken* cancel) {
  std::vector<std::unique_ptr<EvalNetwork>> members;
  std::unique_ptr<EvalNetwork> fresh;
  for (const auto& dir : modelDirs) {
    if (!std::filesystem::is_directory(dir)) throw UsageError(dir.string(), "is not a model folder");
    const nn::Model model = nn::loadModel(dir, device);
    members.push_back(makeEvalNetwork(model));
    if (withUntrained && !fresh && members.back()->localizes()) fresh = makeUntrainedNetwork(model, opts.seed);
  }
  const auto net = makeEnsembleNetwork(std::move(members));
  nlohmann::json report = evaluate(*net, fresh.get(), dataset, ontology, opts, cancel);
  if (modelDirs.size() > 1) {
    report["ensemble"] = nlohmann::json::array();
    for (const auto& dir : modelDirs) report["ensemble"].push_back(dir.string());
  }
  return report;
}

}  // namespace soundspot::eval
