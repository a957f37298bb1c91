#pragma once
// The scene sources in one compact file ("*.sspack") so that scenes can be
// composed where neither FFmpeg nor Qt exists (the GPU machine): cut-out
// objects as RGBA, recordings as 48 kHz 16-bit PCM, downscaled background
// photos, class names and the split of every instance. No torch, no Qt.
//
// File: "SSPACK1\n", u64 header length, JSON header, u64 raw payload length,
// payload (zstd-compressed when built with SOUNDSPOT_HAS_ZSTD, flagged in the
// header). The header lists every asset with its byte range in the payload.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::data {

// An instance is either used for training (and val / test-seen scenes) or
// held out entirely for test-unseen.
enum class InstanceSplit : uint8_t { Train, Unseen };

struct PackImage {
  std::string id;        // e.g. "qabcs/violin"
  int classId = 0;
  bool drawing = false;  // drawings (SVG, clip art) vs photos
  InstanceSplit split = InstanceSplit::Train;
  int width = 0, height = 0;
  std::vector<uint8_t> rgba;  // straight (not premultiplied) alpha, row-major
};

struct PackSound {
  std::string id;
  int classId = 0;
  InstanceSplit split = InstanceSplit::Train;
  std::vector<int16_t> pcm;   // mono at kPackSampleRate
  // Train instances long enough keep their tail [heldOutFrom, end) for
  // test-seen scenes only; heldOutFrom == pcm.size() when there is none.
  int64_t heldOutFrom = 0;
};

struct PackBackground {
  std::string id;
  bool test = false;  // backgrounds used only by the test splits
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

constexpr int kPackSampleRate = 48000;

struct AssetPack {
  std::vector<std::string> classes;  // exact AudioSet ontology names
  std::vector<PackImage> images;
  std::vector<PackSound> sounds;
  std::vector<PackBackground> backgrounds;
};

// How many independent instances each class has: learning a class (not one
// picture-sound pair) needs several of each.
struct ClassInstances {
  int images = 0, sounds = 0;
};
std::vector<ClassInstances> instancesPerClass(const AssetPack& pack);
// Classes with at least minImages images and minSounds recordings.
int countDiverseClasses(const AssetPack& pack, int minImages = 3, int minSounds = 3);

// Atomic. Throws Error naming the file on failure.
void writeAssetPack(const AssetPack& pack, const std::filesystem::path& path);
// Throws Error naming the file when it is missing, truncated or damaged.
AssetPack readAssetPack(const std::filesystem::path& path);

}  // namespace soundspot::data
