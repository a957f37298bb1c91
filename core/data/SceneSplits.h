#pragma once
// Which source instances are held out: per class, one image and one
// recording (when the class has at least two) never appear in train/val
// scenes and make the test-unseen split; about a fifth of the backgrounds
// are kept for the test splits. Where a class has both photos and drawings,
// the held-out image comes from the kind its training images mostly are
// not, so test measures the jump between the two packages.
#include "core/data/AssetPack.h"

#include <cstdint>

namespace soundspot::data {

// Sets split / heldOutFrom / test of every instance; deterministic for seed.
void assignInstanceSplits(AssetPack& pack, uint64_t seed);

// Takes the splits of `reference` (an earlier pack) for the instances and
// backgrounds it also holds, matched by id and else by pixels or samples
// (another class file may name a file differently), so that a benchmark made from it
// stays held out when instances are added; instances it lacks train. Returns
// how many of the reference's held-out instances were found in pack.
struct AdoptedSplits {
  int heldOutFound = 0, heldOutMissing = 0, newInstances = 0;
};
AdoptedSplits adoptInstanceSplits(AssetPack& pack, const AssetPack& reference);

// Recordings of at least this many samples keep their last quarter for test-seen.
constexpr int64_t kHeldOutStretchMinSamples = 4 * kPackSampleRate;

}  // namespace soundspot::data
