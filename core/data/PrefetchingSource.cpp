#include "core/data/PrefetchingSource.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace soundspot::data {
namespace {

class PrefetchingSource : public BatchSource {
 public:
  PrefetchingSource(std::vector<std::unique_ptr<BatchSource>> sources, int depth)
      : sources_(std::move(sources)), depth_(std::max<int>(depth, int(sources_.size()))) {}
  ~PrefetchingSource() override { stopProducers(); }

  AvcBatch next(int64_t batchSize, PairMode mode) override {
    // A new request shape restarts the producers at the batch we are at.
    if (producers_.empty() || batchSize != batchSize_ || mode != mode_) {
      stopProducers();
      batchSize_ = batchSize;
      mode_ = mode;
      startProducers();
    }
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return made_.count(consumed_) > 0; });
    auto node = made_.extract(consumed_);
    Item item = std::move(node.mapped());
    if (item.error) {
      lock.unlock();
      stopProducers();  // a retry starts over at this batch
      std::rethrow_exception(item.error);
    }
    ++consumed_;
    lock.unlock();
    space_.notify_all();
    return std::move(item.batch);
  }

  int64_t epochSize() const override { return sources_.front()->epochSize(); }

  void seek(int64_t step) override {
    stopProducers();
    consumed_ = step;
  }

 private:
  struct Item {
    AvcBatch batch;
    std::exception_ptr error;
  };

  void startProducers() {
    stop_ = false;
    nextToMake_ = consumed_;
    // The single-producer case keeps the wrapped source's own call order
    // (seek once, then next, next, ...); several producers seek per batch.
    const bool seekEachBatch = sources_.size() > 1;
    for (auto& source : sources_) {
      BatchSource* src = source.get();
      if (!seekEachBatch) src->seek(consumed_);
      producers_.emplace_back([this, src, seekEachBatch] {
        for (;;) {
          int64_t step;
          {
            std::unique_lock lock(mutex_);
            space_.wait(lock, [&] { return stop_ || nextToMake_ < consumed_ + depth_; });
            if (stop_) return;
            step = nextToMake_++;
          }
          Item item;
          try {
            if (seekEachBatch) src->seek(step);
            item.batch = src->next(batchSize_, mode_);
          } catch (...) {
            item.error = std::current_exception();
          }
          std::lock_guard lock(mutex_);
          const bool failed = bool(item.error);
          made_[step] = std::move(item);
          ready_.notify_all();
          if (failed) return;
        }
      });
    }
  }

  void stopProducers() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    space_.notify_all();
    for (auto& t : producers_) t.join();
    producers_.clear();
    made_.clear();
  }

  std::vector<std::unique_ptr<BatchSource>> sources_;
  int depth_;
  int64_t consumed_ = 0;    // batches handed out: the step of the next one
  int64_t nextToMake_ = 0;  // the step the next free producer makes
  int64_t batchSize_ = 0;
  PairMode mode_ = PairMode::Avc;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::map<int64_t, Item> made_;
  bool stop_ = false;
  std::vector<std::thread> producers_;
};

}  // namespace

std::unique_ptr<BatchSource> prefetching(std::unique_ptr<BatchSource> inner, int depth) {
  std::vector<std::unique_ptr<BatchSource>> one;
  one.push_back(std::move(inner));
  return std::make_unique<PrefetchingSource>(std::move(one), std::max(1, depth));
}

std::unique_ptr<BatchSource> prefetching(const SourceFactory& open, int workers, int depth) {
  workers = std::max(1, workers);
  std::vector<std::unique_ptr<BatchSource>> sources;
  for (int i = 0; i < workers; ++i) sources.push_back(open());
  return std::make_unique<PrefetchingSource>(std::move(sources), depth > 0 ? depth : std::max(2, 2 * workers));
}

int dataWorkers(int requested, const std::string& device) {
  if (requested > 0) return requested;
  if (device.rfind("cuda", 0) != 0) return 1;
  const int cores = int(std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1, 16);
}

}  // namespace soundspot::data
