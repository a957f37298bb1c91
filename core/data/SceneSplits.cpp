#include "core/data/SceneSplits.h"

#include <algorithm>
#include <random>

namespace soundspot::data {

void assignInstanceSplits(AssetPack& pack, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5ce4e5ULL);
  const size_t classCount = pack.classes.size();
  std::vector<std::vector<int>> images(classCount), sounds(classCount);
  for (size_t i = 0; i < pack.images.size(); ++i) {
    pack.images[i].split = InstanceSplit::Train;
    images[pack.images[i].classId].push_back(int(i));
  }
  for (size_t i = 0; i < pack.sounds.size(); ++i) {
    auto& s = pack.sounds[i];
    s.split = InstanceSplit::Train;
    const int64_t n = int64_t(s.pcm.size());
    s.heldOutFrom = n >= kHeldOutStretchMinSamples ? n * 3 / 4 : n;
    sounds[s.classId].push_back(int(i));
  }
  for (size_t c = 0; c < classCount; ++c) {
    // Held out only where both an image and a recording can be spared, so
    // that test-unseen scenes of the class have both.
    if (images[c].size() < 2 || sounds[c].size() < 2) continue;
    size_t drawings = 0;
    for (int i : images[c]) drawings += pack.images[i].drawing;
    const size_t photos = images[c].size() - drawings;
    std::vector<int> candidates;
    if (drawings > 0 && photos > 0) {
      const bool holdDrawing = drawings <= photos;  // the minority kind
      for (int i : images[c])
        if (pack.images[i].drawing == holdDrawing) candidates.push_back(i);
    } else {
      candidates = images[c];
    }
    pack.images[candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)]].split =
        InstanceSplit::Unseen;
    auto& held = pack.sounds[sounds[c][std::uniform_int_distribution<size_t>(0, sounds[c].size() - 1)(rng)]];
    held.split = InstanceSplit::Unseen;
    held.heldOutFrom = int64_t(held.pcm.size());
  }
  std::vector<int> order(pack.backgrounds.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  std::shuffle(order.begin(), order.end(), rng);
  const size_t testCount = std::max<size_t>(1, order.size() / 5);
  for (size_t k = 0; k < order.size(); ++k) pack.backgrounds[order[k]].test = k < testCount;
}

}  // namespace soundspot::data
