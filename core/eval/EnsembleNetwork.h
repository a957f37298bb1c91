#pragma once
// Several separately trained networks of one architecture evaluated as one
// (`soundspot-cli eval --model A --model B ...`): the correspondence score
// and the localization map are the mean of the members' logits, and the
// embeddings are the members' unit-length embeddings side by side, scaled by
// 1/sqrt(N), so that a dot product between two of them is the mean of the
// members' cosines. The members' embedding spaces differ, so averaging the
// embeddings themselves would mean nothing.
#include "core/eval/EvalNetwork.h"

#include <memory>
#include <vector>

namespace soundspot::eval {

// Throws Error when `members` is empty or mixes architectures.
std::unique_ptr<EvalNetwork> makeEnsembleNetwork(std::vector<std::unique_ptr<EvalNetwork>> members);

}  // namespace soundspot::eval
