#include "core/data/PrefetchingSource.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace soundspot::data {
namespace {

class PrefetchingSource : public BatchSource {
 public:
  PrefetchingSource(std::unique_ptr<BatchSource> inner, int depth) : inner_(std::move(inner)), depth_(std::max(1, depth)) {}
  ~PrefetchingSource() override { stopProducer(); }

  AvcBatch next(int64_t batchSize, PairMode mode) override {
    // A new request shape restarts the producer at the batch we are at.
    if (!producer_.joinable() || batchSize != batchSize_ || mode != mode_) {
      stopProducer();
      inner_->seek(consumed_);
      batchSize_ = batchSize;
      mode_ = mode;
      startProducer();
    }
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !queue_.empty(); });
    Item item = std::move(queue_.front());
    queue_.pop_front();
    space_.notify_one();
    lock.unlock();
    if (item.error) {
      stopProducer();  // the producer stopped at the failure; a retry starts over at this batch
      std::rethrow_exception(item.error);
    }
    ++consumed_;
    return std::move(item.batch);
  }

  int64_t epochSize() const override { return inner_->epochSize(); }

  void seek(int64_t step) override {
    stopProducer();
    consumed_ = step;
    inner_->seek(step);
  }

 private:
  struct Item {
    AvcBatch batch;
    std::exception_ptr error;
  };

  void startProducer() {
    stop_ = false;
    producer_ = std::thread([this] {
      for (;;) {
        {
          std::unique_lock lock(mutex_);
          space_.wait(lock, [&] { return stop_ || int(queue_.size()) < depth_; });
          if (stop_) return;
        }
        Item item;
        try {
          item.batch = inner_->next(batchSize_, mode_);
        } catch (...) {
          item.error = std::current_exception();
        }
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(item));
        ready_.notify_one();
        if (queue_.back().error) return;
      }
    });
  }

  void stopProducer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    space_.notify_all();
    if (producer_.joinable()) producer_.join();
    queue_.clear();
  }

  std::unique_ptr<BatchSource> inner_;
  int depth_;
  int64_t consumed_ = 0;  // batches handed out: the wrapped source's step
  int64_t batchSize_ = 0;
  PairMode mode_ = PairMode::Avc;
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  std::deque<Item> queue_;
  bool stop_ = false;
  std::thread producer_;
};

}  // namespace

std::unique_ptr<BatchSource> prefetching(std::unique_ptr<BatchSource> inner, int depth) {
  return std::make_unique<PrefetchingSource>(std::move(inner), depth);
}

}  // namespace soundspot::data
