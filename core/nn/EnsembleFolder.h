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
#include "core/nn/Model.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::nn {

bool isEnsembleCard(const nlohmann::json& card);

// The members already loaded, as one model (card: the ensemble's). Throws
// Error when there are none or they are not all AVOL-Nets of one embedding size.
Model ensembleOf(std::vector<Model> members, nlohmann::json card);

// Called by loadModel for a card with "ensemble": member paths must be
// relative and stay inside `dir`; members may not be ensembles themselves.
Model loadEnsembleFolder(const std::filesystem::path& dir, const nlohmann::json& card, const std::string& device);

// Copies the members' cards and weights (not their checkpoints or metrics)
// into `out`/members/ and writes the ensemble's card, atomically. Each member
// is loaded first, so a damaged or non-AVOL folder is refused naming it.
// `recipe` (the command that made it) goes into the card.
void writeEnsembleFolder(const std::vector<std::filesystem::path>& members, const std::filesystem::path& out,
                         const nlohmann::json& recipe);

}  // namespace soundspot::nn
