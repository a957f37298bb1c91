#include "core/data/SceneSource.h"

#include "core/audio/TorchSpectrogram.h"
#include "core/common/Error.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneComposer.h"
#include "core/nn/Preprocess.h"

#include <spdlog/spdlog.h>

#include <random>

namespace soundspot::data {
namespace {

// Frames are composed at the mp4 path's size and resized like a decoded
// frame, so both paths feed the network the same picture.
constexpr int kSceneWidth = 320, kSceneHeight = 240;

class SceneSource : public BatchSource {
 public:
  SceneSource(AssetPack pack, SceneSplit split, torch::Device device, uint64_t seed)
      : pack_(std::move(pack)), split_(split), pools_(scenePools(pack_, split)), device_(device), seed_(seed) {
    seek(0);
  }

  AvcBatch next(int64_t batchSize, PairMode mode) override {
    // Batch `step_` depends only on (seed, step_): seek() resumes exactly.
    reseed();
    std::vector<torch::Tensor> images;
    std::vector<float> windows(size_t(batchSize) * kPackSampleRate);
    std::vector<float> corresponds(batchSize);
    std::vector<int64_t> identity(batchSize);
    std::vector<uint8_t> rgb(size_t(kSceneWidth) * kSceneHeight * 3);
    std::uniform_real_distribution<double> when(0.5, rules_.duration - 0.5);
    for (int64_t b = 0; b < batchSize; ++b) {
      const ScenePlan scene = planScene(pack_, pools_, split_, rules_, rng_);
      const double t = when(rng_);
      renderSceneFrame(pack_, scene, rules_, t, kSceneWidth, kSceneHeight, rgb.data());
      images.push_back(nn::imageTensor(rgb.data(), kSceneWidth, kSceneHeight));
      // Negatives hear another scene at another time (the paper's AVC pairs).
      const bool positive = mode == PairMode::PositivesOnly || b % 2 == 0;
      const ScenePlan heard = positive ? scene : planScene(pack_, pools_, split_, rules_, rng_);
      const double at = positive ? t : when(rng_);
      const int64_t start = static_cast<int64_t>(std::llround((at - 0.5) * kPackSampleRate));
      const auto audio = renderSceneAudio(pack_, heard, start, kPackSampleRate);
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

  AssetPack pack_;
  SceneSplit split_;
  ScenePools pools_;
  SceneRules rules_;
  torch::Device device_;
  uint64_t seed_;
  int64_t step_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<BatchSource> openSceneSource(const std::filesystem::path& pack, const std::string& split,
                                             const std::string& device, uint64_t seed) {
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
  return std::make_unique<SceneSource>(std::move(assets), s, dev, seed);
}

}  // namespace soundspot::data
