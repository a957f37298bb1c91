#pragma once
// Training batches from a dataset folder (shared/specs/dataset-format.md) or
// a plain folder of videos (MediaFolder.h): decodes the clips of a split once
// (ClipCache, optionally kept on disk by ClipDiskCache), draws pairs with the
// paper's sampling (AvcSampler), augments them and computes log-spectrograms.
#include "core/common/Progress.h"
#include "core/data/BatchSource.h"
#include "core/data/Dataset.h"
#include "core/data/SamplerOptions.h"

#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::data {

class ClipCache;
class AvcSampler;

struct DecodeOptions {
  std::filesystem::path cacheDir;       // decoded clips kept here between runs ("" = none)
  const CancelToken* cancel = nullptr;  // stops decoding (Error "decoding cancelled")
};

// Decodes the clips of `split` with a progress bar, skipping (one warning
// each, a count at the end) media without video or audio, shorter than 1 s
// or undecodable; the cache keeps only those that decoded (skipped() lists
// the others). Throws Error naming the dataset when fewer than two are left.
std::shared_ptr<ClipCache> decodeSplit(const Dataset& ds, const std::string& split, const SamplerOptions& opts,
                                       const DecodeOptions& decode = {});

class DatasetSource : public BatchSource {
 public:
  // Loads dataset.json (or lists a plain folder), keeps the clips of `split`
  // (clips without a split belong to every split) and decodes them
  // (decodeSplit). Throws Error when fewer than two clips are usable.
  DatasetSource(const std::filesystem::path& dir, const std::string& split, uint64_t seed,
                const SamplerOptions& opts);
  // On clips decoded already (shared, read-only: several producers may use one).
  DatasetSource(std::shared_ptr<const ClipCache> cache, uint64_t seed, const SamplerOptions& opts);
  ~DatasetSource() override;

  AvcBatch next(int64_t batchSize, PairMode mode) override;
  int64_t epochSize() const override;
  void seek(int64_t step) override;

  int64_t step() const { return step_; }
  const ClipCache& cache() const { return *cache_; }
  const AvcSampler& sampler() const { return *sampler_; }

 private:
  SamplerOptions opts_;
  uint64_t seed_;
  int64_t step_ = 0;
  std::shared_ptr<const ClipCache> cache_;
  std::unique_ptr<AvcSampler> sampler_;
};

std::unique_ptr<BatchSource> openDatasetSource(const std::filesystem::path& dir, const std::string& split,
                                               uint64_t seed, const SamplerOptions& opts);

}  // namespace soundspot::data
