#pragma once
// The paper's schedule: the learning rate is reduced by 6% every 16 epochs.
#include <cstdint>

namespace soundspot::training {

struct LearningRateSchedule {
  double base = 1e-4;
  double decay = 0.94;        // multiply by this ...
  int64_t epochsPerStep = 16;  // ... every this many epochs
  int64_t warmupSteps = 0;     // linear warm-up (0 = the paper's recipe)

  double at(int64_t step, int64_t stepsPerEpoch) const;
};

}  // namespace soundspot::training
