#include "training/LearningRateSchedule.h"

#include <algorithm>
#include <cmath>

namespace soundspot::training {

double LearningRateSchedule::at(int64_t step, int64_t stepsPerEpoch) const {
  const int64_t epoch = step / std::max<int64_t>(1, stepsPerEpoch);
  double lr = base * std::pow(decay, static_cast<double>(epoch / std::max<int64_t>(1, epochsPerStep)));
  if (warmupSteps > 0 && step < warmupSteps) lr *= static_cast<double>(step + 1) / warmupSteps;
  return lr;
}

}  // namespace soundspot::training
