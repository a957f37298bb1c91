#pragma once
// Training batches from a dataset folder (shared/specs/dataset-format.md):
// decodes the clips of a split once (ClipCache), draws pairs with the paper's
// sampling (AvcSampler), augments them and computes log-spectrograms.
#include "core/data/BatchSource.h"
#include "core/data/SamplerOptions.h"

#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::data {

class ClipCache;
class AvcSampler;

class DatasetSource : public BatchSource {
 public:
  // Loads dataset.json, keeps the clips of `split` (clips without a split
  // belong to every split), decodes them (skipping undecodable media with a
  // warning and a count). Throws Error when fewer than two clips are usable.
  DatasetSource(const std::filesystem::path& dir, const std::string& split, uint64_t seed,
                const SamplerOptions& opts);
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
  std::unique_ptr<ClipCache> cache_;
  std::unique_ptr<AvcSampler> sampler_;
};

std::unique_ptr<BatchSource> openDatasetSource(const std::filesystem::path& dir, const std::string& split,
                                               uint64_t seed, const SamplerOptions& opts);

}  // namespace soundspot::data
