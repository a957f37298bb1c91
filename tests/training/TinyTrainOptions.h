#pragma once
// Training options for the training suites: a width-4 network, lr 1e-3, no
// periodic checkpoint, seed 7; the suites vary the rest.
#include "training/Trainer.h"

#include <filesystem>

namespace soundspot::test {

inline training::TrainOptions tinyTrainOptions(const std::filesystem::path& out, int64_t steps, int64_t batchSize,
                                               nn::Arch arch = nn::Arch::Avol,
                                               training::Objective objective = training::Objective::Avc) {
  training::TrainOptions o;
  o.net = {arch, 4, 128};
  o.loss.objective = objective;
  o.steps = steps;
  o.batchSize = batchSize;
  o.schedule.base = 1e-3;
  o.checkpointEvery = 0;
  o.out = out;
  o.seed = 7;
  return o;
}

}  // namespace soundspot::test
