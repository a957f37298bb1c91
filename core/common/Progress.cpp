#include "core/common/Progress.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <unistd.h>

namespace soundspot {

namespace {
CancelToken* gSignalToken = nullptr;
void onSignal(int) {
  if (gSignalToken && gSignalToken->cancelled()) std::_Exit(130);
  if (gSignalToken) gSignalToken->cancel();
}
}  // namespace

void cancelOnSignal(CancelToken& token) {
  gSignalToken = &token;
  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
}

std::string formatDuration(double s) {
  if (!(s >= 0) || s > 1e7) return "--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(std::string label, int64_t total, Callback cb)
    : label_(std::move(label)), total_(total), cb_(cb ? std::move(cb) : terminalBar(label_)),
      start_(std::chrono::steady_clock::now()) {}

double Progress::elapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::advance(int64_t n, const std::string& note) { set(done_ + n, note); }

void Progress::set(int64_t done, const std::string& note) {
  done_ = done;
  const double el = elapsedSeconds();
  const double eta = done_ > 0 && total_ > 0 ? el / done_ * (total_ - done_) : -1;
  if (cb_) cb_(done_, total_, eta, note);
}

void Progress::finish() {
  if (done_ < total_) set(total_);
  stop();
}

void Progress::stop() {
  if (cb_) cb_(-1, total_, 0, {});  // -1 = over: lets the bar end its line
}

Progress::Callback Progress::terminalBar(const std::string& label) {
  const bool tty = ::isatty(2);
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto lastDecile = std::make_shared<int>(-1);
  auto start = std::chrono::steady_clock::now();
  return [=](int64_t done, int64_t total, double eta, const std::string& note) {
    if (done < 0) {
      if (tty) std::fputc('\n', stderr);
      return;
    }
    const double frac = total > 0 ? static_cast<double>(done) / total : 0.0;
    const auto now = std::chrono::steady_clock::now();
    if (tty) {
      if (done < total && now - *last < std::chrono::milliseconds(100)) return;
      *last = now;
      const int width = 30;
      const int filled = static_cast<int>(frac * width);
      std::string bar(filled, '#');
      bar.append(width - filled, '.');
      const double el = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "\r%s [%s] %lld/%lld %3.0f%% %s<%s %s\033[K", label.c_str(), bar.c_str(),
                   static_cast<long long>(done), static_cast<long long>(total), frac * 100,
                   formatDuration(el).c_str(), formatDuration(eta).c_str(), note.c_str());
      std::fflush(stderr);
    } else {
      const int decile = static_cast<int>(frac * 10);
      if (decile == *lastDecile) return;
      *lastDecile = decile;
      std::fprintf(stderr, "%s: %lld/%lld (%.0f%%) eta %s %s\n", label.c_str(), static_cast<long long>(done),
                   static_cast<long long>(total), frac * 100, formatDuration(eta).c_str(), note.c_str());
    }
  };
}

}  // namespace soundspot
