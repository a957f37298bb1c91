#pragma once
// Several separately trained AVE-Nets or L3-Nets evaluated as one
// (`soundspot-cli eval --model A --model B ...`): the correspondence score
// is the mean of the members' logits, and the
// embeddings are the members' unit-length embeddings side by side, scaled by
// 1/sqrt(N), so that a dot product between two of them is the mean of the
// members' cosines. The members' embedding spaces differ, so averaging the
// embeddings themselves would mean nothing. AVOL-Nets are combined as one
// network instead (nn::AvolEnsemble), so that `eval` of several AVOL-Net
// folders and of the ensemble folder made from them give the same figures.
#include "core/eval/EvalNetwork.h"

#include <memory>
#include <vector>

namespace soundspot::eval {

// Throws Error when `members` is empty, mixes architectures or localizes.
std::unique_ptr<EvalNetwork> makeEnsembleNetwork(std::vector<std::unique_ptr<EvalNetwork>> members);

}  // namespace soundspot::eval
