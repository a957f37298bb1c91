#pragma once
// On-the-fly "SoundSpot Scenes" for training on a machine without FFmpeg or
// Qt: scenes are composed from an asset pack (AssetPack.h) with LibTorch ops
// on the training device, following the same rules as the mp4 dataset path
// (SceneComposer.h). audioIdentity holds the source recording id.
#include "core/data/BatchSource.h"
#include "core/data/SceneComposer.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::data {

// split: "train", "val", "test-seen" or "test-unseen"; device: "cpu", "cuda", "cuda:0"...
// rules: the scene rules, e.g. with the training-only look variations on.
// Throws Error when the pack is missing/damaged or the split is unknown.
std::unique_ptr<BatchSource> openSceneSource(const std::filesystem::path& pack, const std::string& split,
                                             const std::string& device, uint64_t seed, const SceneRules& rules = {});

}  // namespace soundspot::data
