#include "core/eval/EvaluateModel.h"

#include "core/common/Error.h"
#include "core/eval/EvalNetwork.h"
#include "core/nn/Model.h"

namespace soundspot::eval {

nlohmann::json evaluateModelFolder(const std::filesystem::path& modelDir, const data::Dataset& dataset,
                                   const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                   bool withUntrained, const CancelToken* cancel) {
  if (!std::filesystem::is_directory(modelDir)) throw UsageError(modelDir.string(), "is not a model folder");
  const nn::Model model = nn::loadModel(modelDir, device);
  auto net = makeEvalNetwork(model);
  std::unique_ptr<EvalNetwork> fresh;
  if (withUntrained && net->localizes()) fresh = makeUntrainedNetwork(model, opts.seed);
  return evaluate(*net, fresh.get(), dataset, ontology, opts, cancel);
}

}  // namespace soundspot::eval
