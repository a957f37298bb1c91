#pragma once
// One model folder through the evaluation suite: load, wrap, evaluate (with
// the untrained reference for AVOL-Net). Shared by `eval` and `report`.
// Several folders are evaluated as one ensemble (EnsembleNetwork.h); the
// report then lists them under "ensemble", and the untrained reference is
// a fresh network like the first member.
#include "core/common/Progress.h"
#include "core/data/Dataset.h"
#include "core/eval/Evaluation.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::eval {

class Ontology;

nlohmann::json evaluateModelFolder(const std::filesystem::path& modelDir, const data::Dataset& dataset,
                                   const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                   bool withUntrained, const CancelToken* cancel);
nlohmann::json evaluateModelFolders(const std::vector<std::filesystem::path>& modelDirs, const data::Dataset& dataset,
                                    const Ontology& ontology, const EvalOptions& opts, const std::string& device,
                                    bool withUntrained, const CancelToken* cancel);

}  // namespace soundspot::eval
