#pragma once
// Progress reporting and cancellation for long work. Core code reports to a
// Progress; the CLI shows a bar with ETA on stderr, the UI a progress bar.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace soundspot {

// Set by SIGINT in the CLI or by a Cancel button; long loops poll it.
class CancelToken {
 public:
  void cancel() { flag_.store(true); }
  bool cancelled() const { return flag_.load(); }
  void reset() { flag_.store(false); }

 private:
  std::atomic<bool> flag_{false};
};

// Cancels the given token on SIGINT/SIGTERM (a second Ctrl-C exits at once).
void cancelOnSignal(CancelToken& token);

class Progress {
 public:
  using Callback = std::function<void(int64_t done, int64_t total, double etaSeconds, const std::string& note)>;
  Progress(std::string label, int64_t total, Callback cb = {});
  // A bar on stderr, redrawn at most 10 times a second; silent when stderr is
  // not a terminal except for a line every 10%.
  static Callback terminalBar(const std::string& label);

  void advance(int64_t n = 1, const std::string& note = {});
  void set(int64_t done, const std::string& note = {});
  void finish();  // all done: shows 100 % and ends the bar
  void stop();    // stopped early (cancelled, time limit): ends the bar where it is
  int64_t done() const { return done_; }
  int64_t total() const { return total_; }
  double elapsedSeconds() const;

 private:
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  Callback cb_;
  std::chrono::steady_clock::time_point start_;
};

std::string formatDuration(double seconds);

}  // namespace soundspot
