#include "core/data/SceneSplits.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace soundspot::data {

namespace {

int64_t trainTailStart(const PackSound& s) {
  const int64_t n = int64_t(s.pcm.size());
  return n >= kHeldOutStretchMinSamples ? n * 3 / 4 : n;
}

}  // namespace

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
    s.heldOutFrom = trainTailStart(s);
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

AdoptedSplits adoptInstanceSplits(AssetPack& pack, const AssetPack& reference) {
  // By id, and else by content: a class file may name the same file
  // differently (e.g. with its folder), and two packages may ship one picture.
  auto imageKey = [](const PackImage& im) {
    return std::to_string(im.width) + "x" + std::to_string(im.height) + ":" +
           std::to_string(std::hash<std::string_view>{}(
               std::string_view(reinterpret_cast<const char*>(im.rgba.data()), im.rgba.size())));
  };
  auto soundKey = [](const PackSound& s) {
    return std::to_string(s.pcm.size()) + ":" +
           std::to_string(std::hash<std::string_view>{}(
               std::string_view(reinterpret_cast<const char*>(s.pcm.data()), s.pcm.size() * sizeof(int16_t))));
  };
  std::unordered_map<std::string, InstanceSplit> imageById, imageByContent, soundById, soundByContent;
  std::unordered_map<std::string, bool> backgroundTest;
  int heldOutInReference = 0;
  for (const auto& im : reference.images) {
    imageById[im.id] = im.split;
    auto& byContent = imageByContent[imageKey(im)];
    if (im.split == InstanceSplit::Unseen) byContent = InstanceSplit::Unseen;  // a held-out copy wins
    heldOutInReference += im.split == InstanceSplit::Unseen;
  }
  for (const auto& s : reference.sounds) {
    soundById[s.id] = s.split;
    auto& byContent = soundByContent[soundKey(s)];
    if (s.split == InstanceSplit::Unseen) byContent = InstanceSplit::Unseen;
    heldOutInReference += s.split == InstanceSplit::Unseen;
  }
  for (const auto& b : reference.backgrounds) backgroundTest[b.id] = b.test;

  AdoptedSplits r;
  auto adopt = [&](auto& instance, const auto& byId, const auto& byContent, const std::string& key) {
    std::optional<InstanceSplit> split;
    if (const auto it = byId.find(instance.id); it != byId.end()) split = it->second;
    else if (const auto jt = byContent.find(key); jt != byContent.end()) split = jt->second;
    instance.split = split.value_or(InstanceSplit::Train);
    r.newInstances += !split.has_value();
    r.heldOutFound += instance.split == InstanceSplit::Unseen;
  };
  for (auto& im : pack.images) adopt(im, imageById, imageByContent, imageKey(im));
  for (auto& s : pack.sounds) {
    adopt(s, soundById, soundByContent, soundKey(s));
    s.heldOutFrom = s.split == InstanceSplit::Unseen ? int64_t(s.pcm.size()) : trainTailStart(s);
  }
  for (auto& b : pack.backgrounds) {
    const auto it = backgroundTest.find(b.id);
    b.test = it != backgroundTest.end() && it->second;
  }
  r.heldOutMissing = std::max(0, heldOutInReference - r.heldOutFound);
  return r;
}

}  // namespace soundspot::data
