#pragma once
// Area under the ROC curve from the scores of positives and negatives: the
// probability that a random positive scores above a random negative, a tie
// counting 1/2 (the Mann-Whitney U statistic / (P * N)). Used for the
// mismatched-audio test: positives are instants with their own audio,
// negatives the same instants with another clip's audio.
#include <vector>

namespace soundspot::eval {

// Throws soundspot::Error when either list is empty.
double auroc(const std::vector<float>& positiveScores, const std::vector<float>& negativeScores);

}  // namespace soundspot::eval
