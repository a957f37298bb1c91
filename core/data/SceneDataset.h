#pragma once
// Writes "SoundSpot Scenes" as a dataset folder in the contract format
// (shared/specs/dataset-format.md): H.264 + AAC mp4 clips rendered from
// ScenePlans and dataset.json with labels and an annotation at the centre of
// every second. Needs FFmpeg (media::MediaWriter).
#include "core/common/Progress.h"
#include "core/data/SceneComposer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace soundspot::data {

struct SceneDatasetOptions {
  std::string name = "SoundSpot Scenes";
  int count = 100;
  uint64_t seed = 1;
  // Fractions of the clips per split, in this order (clip ids are assigned
  // in blocks). test-seen / test-unseen clips get "split": "test" and
  // "subset": "test-seen" / "test-unseen".
  std::vector<std::pair<SceneSplit, double>> splitPlan = {
      {SceneSplit::Train, 0.8}, {SceneSplit::Val, 0.1}, {SceneSplit::TestSeen, 0.05}, {SceneSplit::TestUnseen, 0.05}};
  SceneRules rules;
  int width = 320, height = 240;
  double fps = 25;
  int crf = 23;
};

// "train=0.8,val=0.1,test-seen=0.05,test-unseen=0.05" or one split name
// ("test-unseen" = all clips). Throws UsageError.
std::vector<std::pair<SceneSplit, double>> parseSplitPlan(const std::string& text);

// The split of clip `index` under the plan.
SceneSplit clipSplit(const SceneDatasetOptions& options, int index);

// The plan of clip `index`: a pure function of (pack, seed, index).
ScenePlan clipScene(const AssetPack& pack, const ScenePools& pools, const SceneDatasetOptions& options, int index);

// The frame index shown at time t (the last frame with pts <= t).
int64_t frameShownAt(double t, double fps);

// Writes DIR/clips/scene-NNNNNN.mp4 and DIR/dataset.json (atomically);
// returns the dataset.json content.
nlohmann::json writeSceneDataset(const AssetPack& pack, const SceneDatasetOptions& options,
                                 const std::filesystem::path& dir, Progress& progress, const CancelToken* cancel);

}  // namespace soundspot::data
