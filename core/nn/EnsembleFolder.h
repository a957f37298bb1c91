#pragma once
// An ensemble model folder: card.json names member model folders kept inside
// it (members/1-<name>/card.json + weights), which load as one AVOL-Net
// (AvolEnsemble.h). Every tool that takes a model folder (viewer, localize,
// index, search, eval, report) takes an ensemble folder unchanged, because
// loadModel returns it as one Model. Written by `soundspot-cli ensemble`.
//
// card.json:
//   {"format": "soundspot-model/1", "arch": "avol",
//    "ensemble": {"members": ["members/1-avol", "members/2-avol-seed1"],
//                 "combine": "mean of the members' calibrated map logits"}, ...}
// or, combined by weights fitted on correspondence pairs (`ensemble --scenes`):
//    "ensemble": {..., "combine": "weighted sum ...", "weights": [0.9, 0.4],
//                 "bias": 0.3, "fit": {what they were fitted on}}
#include "core/nn/Model.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace soundspot::nn {

bool isEnsembleCard(const nlohmann::json& card);

// The members already loaded, as one model (card: the ensemble's; its
// "ensemble" weights and bias, when present, combine them, else the mean).
// Throws Error when there are none, they are not all AVOL-Nets of one
// embedding size, or the card's weights do not fit them.
Model ensembleOf(std::vector<Model> members, nlohmann::json card);

// Called by loadModel for a card with "ensemble": member paths must be
// relative and stay inside `dir`; members may not be ensembles themselves.
Model loadEnsembleFolder(const std::filesystem::path& dir, const nlohmann::json& card, const std::string& device);

// Copies the members' cards and weights (not their checkpoints or metrics)
// into `out`/members/ and writes the ensemble's card, atomically. Each member
// is loaded first, so a damaged or non-AVOL folder is refused naming it.
// `recipe` (the command that made it) goes into the card. `fit`, when given,
// is called with the assembled ensemble (combined by the mean) before
// anything is written: it may set the combination (AvolEnsembleImpl::
// setCombination), which the card then records with the report it returns.
using EnsembleFitter = std::function<nlohmann::json(Model& ensemble)>;
void writeEnsembleFolder(const std::vector<std::filesystem::path>& members, const std::filesystem::path& out,
                         const nlohmann::json& recipe, const EnsembleFitter& fit = {});

}  // namespace soundspot::nn
