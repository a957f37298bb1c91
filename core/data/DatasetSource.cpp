#include "core/data/DatasetSource.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/data/Augment.h"
#include "core/data/AvcSampler.h"
#include "core/data/ClipCache.h"
#include "core/data/ClipDiskCache.h"
#include "core/data/MediaFolder.h"
#include "core/nn/Preprocess.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace soundspot::data {

namespace {

// Per-sample augmentation stream, separate from the pair draw so that
// switching augmentation on or off does not change which pairs are drawn.
constexpr uint64_t kAugmentStream = 0xA06u;

}  // namespace

std::shared_ptr<ClipCache> decodeSplit(const Dataset& ds, const std::string& split, const SamplerOptions& opts,
                                       const DecodeOptions& decode) {
  std::vector<Clip> clips = ds.split(split);
  const std::string source = ds.source().string();
  if (clips.empty()) throw Error(source, "has no clip in split '" + split + "'");
  auto cache = std::make_shared<ClipCache>(std::move(clips), opts.maxFramesPerClip);
  std::unique_ptr<ClipDiskCache> disk;
  if (!decode.cacheDir.empty()) {
    disk = std::make_unique<ClipDiskCache>(decode.cacheDir);
    cache->setDiskCache(disk.get());
  }
  Progress progress("decoding " + split, static_cast<int64_t>(cache->size()), Progress::terminalBar("decoding " + split));
  try {
    cache->decodeAll(std::max(1, opts.threads), &progress, decode.cancel);
  } catch (...) {
    progress.stop();
    throw;
  }
  progress.finish();
  cache->setDiskCache(nullptr);
  // Only what decoded stays, so sampler indices are cache indices.
  const size_t skipped = cache->dropFailed();
  spdlog::info("{}: {} clips in split '{}'{}", source, cache->size(), split,
               skipped ? " (" + std::to_string(skipped) + " skipped)" : std::string());
  if (cache->size() < 2)
    throw Error(source, "split '" + split + "' has " + std::to_string(cache->size()) +
                            " usable clip(s); AVC training needs at least two");
  return cache;
}

DatasetSource::DatasetSource(const std::filesystem::path& dir, const std::string& split, uint64_t seed,
                             const SamplerOptions& opts)
    : DatasetSource(decodeSplit(openDatasetOrFolder(dir), split, opts), seed, opts) {}

DatasetSource::DatasetSource(std::shared_ptr<const ClipCache> cache, uint64_t seed, const SamplerOptions& opts)
    : opts_(opts), seed_(seed), cache_(std::move(cache)) {
  if (!cache_ || cache_->size() < 2) throw Error("DatasetSource", "AVC training needs at least two decoded clips");
  std::vector<ClipTiming> timings;
  for (size_t i = 0; i < cache_->size(); ++i) timings.push_back({(*cache_)[i].duration, (*cache_)[i].frameTimes});
  sampler_ = std::make_unique<AvcSampler>(std::move(timings), opts);
  spdlog::info("{} clips, {} frames to draw from", cache_->size(), sampler_->frameCount());
}

DatasetSource::~DatasetSource() = default;

int64_t DatasetSource::epochSize() const { return sampler_->frameCount(); }

void DatasetSource::seek(int64_t step) { step_ = step; }

AvcBatch DatasetSource::next(int64_t batchSize, PairMode mode) {
  if (batchSize <= 0) throw Error("DatasetSource", "batch size must be positive");
  const int64_t step = step_++;
  const auto B = batchSize;
  AvcBatch batch;
  batch.images = torch::empty({B, 3, kCachedFrameSize, kCachedFrameSize});
  batch.spectrograms = torch::empty({B, 1, audio::kBins, audio::kFrames});
  batch.corresponds = torch::empty({B});
  batch.audioIdentity = torch::empty({B}, torch::kLong);
  float* specs = batch.spectrograms.data_ptr<float>();
  float* corr = batch.corresponds.data_ptr<float>();
  int64_t* ident = batch.audioIdentity.data_ptr<int64_t>();

  std::atomic<int64_t> nextIndex{0};
  std::exception_ptr failure;
  std::mutex failureMutex;
  auto work = [&] {
    std::vector<float> window(audio::kWindowSamples);
    for (;;) {
      const int64_t i = nextIndex.fetch_add(1);
      if (i >= B) return;
      const PairDraw d = sampler_->draw(seed_, step, i, mode == PairMode::PositivesOnly);
      const CachedClip& frameClip = (*cache_)[d.frameClip];
      const CachedClip& audioClip = (*cache_)[d.audioClip];
      const std::vector<uint8_t>& frame = frameClip.frames[d.frameIndex];
      audioClip.window(d.audioCentre, window.data());
      torch::Tensor image;
      if (opts_.augment) {
        std::mt19937_64 rng(AvcSampler::streamSeed(seed_ ^ kAugmentStream, step, i));
        const ImageJitter j = drawImageJitter(rng);
        const auto aug = augmentImage(frame.data(), kCachedFrameSize, kCachedFrameSize, j);
        image = nn::imageTensor(aug.data(), kCachedFrameSize, kCachedFrameSize);
        applyGain(window.data(), window.size(), drawGain(rng));
      } else {
        image = nn::imageTensor(frame.data(), kCachedFrameSize, kCachedFrameSize);
      }
      batch.images[i].copy_(image[0]);
      audio::logSpectrogram(window.data(), specs + i * audio::kBins * audio::kFrames);
      corr[i] = d.corresponds ? 1.f : 0.f;
      ident[i] = static_cast<int64_t>(d.audioClip);
    }
  };
  auto worker = [&] {
    try {
      work();
    } catch (...) {
      std::lock_guard<std::mutex> lock(failureMutex);
      if (!failure) failure = std::current_exception();
      nextIndex.store(B);
    }
  };
  const int threads = std::max(1, std::min<int>(opts_.threads, static_cast<int>(B)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  return batch;
}

std::unique_ptr<BatchSource> openDatasetSource(const std::filesystem::path& dir, const std::string& split,
                                               uint64_t seed, const SamplerOptions& opts) {
  return std::make_unique<DatasetSource>(dir, split, seed, opts);
}

}  // namespace soundspot::data
