#include "core/data/SceneSource.h"

#include "core/audio/TorchSpectrogram.h"
#include "core/common/Error.h"
#include "core/data/Augment.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneComposer.h"
#include "core/nn/Preprocess.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <random>

namespace soundspot::data {
namespace {

// Frames are composed at the mp4 path's size and resized like a decoded
// frame, so both paths feed the network the same picture.
constexpr int kSceneWidth = 320, kSceneHeight = 240;

class SceneSource : public BatchSource {
 public:
  SceneSource(AssetPack pack, SceneSplit split, torch::Device device, uint64_t seed, SceneRules rules)
      : pack_(std::move(pack)), split_(split), pools_(scenePools(pack_, split)), rules_(std::move(rules)),
        device_(device), seed_(seed), augment_(split == SceneSplit::Train) {
    seek(0);
  }

  AvcBatch next(int64_t batchSize, PairMode mode) override {
    // Batch `step_` depends only on (seed, step_): seek() resumes exactly.
    reseed();
    std::vector<torch::Tensor> images;
    std::vector<float> windows(size_t(batchSize) * kPackSampleRate);
    std::vector<float> corresponds(batchSize);
    std::vector<int64_t> identity(batchSize);
    std::vector<float> boxes(size_t(batchSize) * 4, -1.f);
    std::vector<uint8_t> rgb(size_t(kSceneWidth) * kSceneHeight * 3);
    std::vector<SceneBox> frameBoxes;
    std::uniform_real_distribution<double> when(0.5, rules_.duration - 0.5);
    for (int64_t b = 0; b < batchSize; ++b) {
      const ScenePlan scene = planScene(pack_, pools_, split_, rules_, rng_);
      const double t = when(rng_);
      renderSceneFrame(pack_, scene, rules_, t, kSceneWidth, kSceneHeight, rgb.data(), &frameBoxes);
      // Negatives hear another scene at another time (the paper's AVC pairs).
      const bool positive = mode == PairMode::PositivesOnly || b % 2 == 0;
      std::array<float, 4> box = {-1, -1, -1, -1};
      for (const auto& fb : frameBoxes)
        if (fb.sounding && positive) box = fb.box;
      if (augment_) {
        // The paper's augmentation: crop (scale jitter), flip, brightness and
        // saturation; the sounding box follows the crop and the flip.
        const ImageJitter jitter = drawImageJitter(rng_);
        const auto jittered = augmentImage(rgb.data(), kSceneWidth, kSceneHeight, jitter);
        images.push_back(nn::imageTensor(jittered.data(), kSceneWidth, kSceneHeight));
        if (box[0] >= 0) box = jitterBox(box, jitter);
      } else {
        images.push_back(nn::imageTensor(rgb.data(), kSceneWidth, kSceneHeight));
      }
      std::copy(box.begin(), box.end(), boxes.begin() + b * 4);
      const ScenePlan heard = positive ? scene : planScene(pack_, pools_, split_, rules_, rng_);
      const double at = positive ? t : when(rng_);
      const int64_t start = static_cast<int64_t>(std::llround((at - 0.5) * kPackSampleRate));
      auto audio = renderSceneAudio(pack_, heard, start, kPackSampleRate);
      if (augment_) applyGain(audio.data(), audio.size(), drawGain(rng_));
      std::copy(audio.begin(), audio.end(), windows.begin() + b * kPackSampleRate);
      corresponds[b] = positive ? 1.f : 0.f;
      const auto& second = heard.seconds[std::min<size_t>(size_t(at), heard.seconds.size() - 1)];
      identity[b] = second.sound >= 0 ? second.sound : int64_t(pack_.sounds.size());  // silence shares one id
    }
    ++step_;
    AvcBatch batch;
    batch.images = torch::cat(images).to(device_);
    auto win = torch::from_blob(windows.data(), {batchSize, kPackSampleRate}, torch::kFloat32).to(device_);
    batch.spectrograms = audio::logSpectrogramTorch(win).unsqueeze(1);
    batch.corresponds = torch::from_blob(corresponds.data(), {batchSize}, torch::kFloat32).clone().to(device_);
    batch.audioIdentity = torch::from_blob(identity.data(), {batchSize}, torch::kInt64).clone().to(device_);
    batch.soundingBoxes = torch::from_blob(boxes.data(), {batchSize, 4}, torch::kFloat32).clone().to(device_);
    return batch;
  }

  int64_t epochSize() const override {
    // One epoch = every usable recording heard in 8 scenes (1 s each).
    int64_t sounds = 0;
    for (const auto& s : pools_.soundsOfClass) sounds += int64_t(s.size());
    return std::max<int64_t>(1, sounds) * 8;
  }

  void seek(int64_t step) override { step_ = step; }

 private:
  void reseed() {
    std::seed_seq seq{uint32_t(seed_), uint32_t(seed_ >> 32), uint32_t(step_), uint32_t(uint64_t(step_) >> 32)};
    rng_.seed(seq);
  }

  // A box after the crop and flip of `j`, clipped to the frame; all -1 when
  // the crop leaves none of it.
  static std::array<float, 4> jitterBox(std::array<float, 4> b, const ImageJitter& j) {
    auto mapX = [&](float x) { return std::clamp(float((x - j.cropX) / j.cropW), 0.f, 1.f); };
    auto mapY = [&](float y) { return std::clamp(float((y - j.cropY) / j.cropH), 0.f, 1.f); };
    std::array<float, 4> r = {mapX(b[0]), mapY(b[1]), mapX(b[2]), mapY(b[3])};
    if (j.flip) r = {1 - r[2], r[1], 1 - r[0], r[3]};
    if (r[2] - r[0] <= 0 || r[3] - r[1] <= 0) return {-1, -1, -1, -1};
    return r;
  }

  AssetPack pack_;
  SceneSplit split_;
  ScenePools pools_;
  SceneRules rules_;
  torch::Device device_;
  uint64_t seed_;
  bool augment_;  // training split only: val/test see the scenes as they are
  int64_t step_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<BatchSource> openSceneSource(const std::filesystem::path& pack, const std::string& split,
                                             const std::string& device, uint64_t seed, const SceneRules& rules) {
  const SceneSplit s = parseSceneSplit(split);
  torch::Device dev(torch::kCPU);
  try {
    dev = torch::Device(device);
  } catch (const std::exception&) {
    throw UsageError(device, "not a torch device (cpu, cuda, cuda:0...)");
  }
  auto assets = readAssetPack(pack);
  spdlog::info("scene source {}: {} classes, {} images, {} recordings, split {}", pack.string(), assets.classes.size(),
               assets.images.size(), assets.sounds.size(), split);
  return std::make_unique<SceneSource>(std::move(assets), s, dev, seed, rules);
}

}  // namespace soundspot::data
