#include "core/eval/Auroc.h"

#include "core/common/Error.h"

#include <algorithm>

namespace soundspot::eval {

double auroc(const std::vector<float>& positiveScores, const std::vector<float>& negativeScores) {
  if (positiveScores.empty() || negativeScores.empty())
    throw Error("AUROC", "needs at least one positive and one negative score");
  // Sort negatives once; each positive counts the negatives below it and the
  // negatives equal to it (O((P + N) log N)).
  std::vector<float> neg = negativeScores;
  std::sort(neg.begin(), neg.end());
  double wins = 0;
  for (float p : positiveScores) {
    const auto lower = std::lower_bound(neg.begin(), neg.end(), p);
    const auto upper = std::upper_bound(lower, neg.end(), p);
    wins += double(lower - neg.begin()) + 0.5 * double(upper - lower);
  }
  return wins / (double(positiveScores.size()) * double(negativeScores.size()));
}

}  // namespace soundspot::eval
