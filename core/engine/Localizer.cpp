#include "core/engine/Localizer.h"

#include "core/common/Error.h"
#include "core/engine/MapModel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace soundspot::engine {
namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
// Exponential moving average; the first sample sets the value.
void smooth(double& avg, double sample) { avg = avg <= 0 ? sample : 0.8 * avg + 0.2 * sample; }
}  // namespace

struct Localizer::State {
  LocalizerOptions options;
  std::unique_ptr<FrameSource> frames;  // worker thread only
  std::unique_ptr<MapModel> model;      // worker thread only
  std::vector<double> times;
  double fps = 25;

  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  double playhead = 0;
  bool playing = false;
  std::shared_ptr<const Soundtrack> soundtrack;
  uint64_t generation = 0;
  std::map<int64_t, HeatMap> maps;  // frame index -> map, for the current soundtrack
  double latencyMs = 0, visualMs = 0, audioMs = 0;
  std::deque<Clock::time_point> completed;  // completion times over the last 2 s
  int stride = 1;
  std::string error;
  std::unordered_map<int64_t, std::shared_ptr<const VisualFeatures>> regions;  // worker thread only
  size_t regionCount = 0;  // regions.size(), readable under the lock
  std::thread worker;

  int64_t frameIndexAt(double t) const {
    const auto it = std::upper_bound(times.begin(), times.end(), t + 1e-6);
    return it == times.begin() ? 0 : static_cast<int64_t>(it - times.begin()) - 1;
  }

  // Maps per frame the worker can afford while playing, from the measured cost.
  int plannedStride() const {
    if (latencyMs <= 0) return 1;
    const double capacity = 1000.0 / latencyMs * options.targetLoad;
    return std::max(1, static_cast<int>(std::ceil(fps / capacity)));
  }

  // The next frame to compute (under the lock), or -1 when all is done.
  int64_t nextTarget() {
    if (!soundtrack || times.empty()) return -1;
    const int64_t p = frameIndexAt(playhead);
    const int s = playing ? stride : 1;
    const int64_t last = frameIndexAt(playhead + options.lookAheadSeconds);
    for (int64_t i = (p / s) * s; i <= last && i < static_cast<int64_t>(times.size()); i += s)
      if (!maps.count(i)) return i;
    return -1;
  }

  void evict(int64_t p) {
    const int64_t keepBehind = static_cast<int64_t>(5 * fps), keepAhead = static_cast<int64_t>((options.lookAheadSeconds + 5) * fps);
    if (maps.size() > 1000)
      for (auto it = maps.begin(); it != maps.end();)
        it = (it->first < p - keepBehind || it->first > p + keepAhead) ? maps.erase(it) : std::next(it);
  }

  void evictRegions(int64_t p) {
    while (static_cast<int>(regions.size()) > options.maxCachedRegions) {
      auto farthest = std::max_element(regions.begin(), regions.end(), [p](const auto& a, const auto& b) {
        return std::llabs(a.first - p) < std::llabs(b.first - p);
      });
      regions.erase(farthest);
    }
  }
};

Localizer::Localizer(std::unique_ptr<FrameSource> frames, std::unique_ptr<MapModel> model, LocalizerOptions options)
    : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.options = options;
  s.frames = std::move(frames);
  s.model = std::move(model);
  s.times = s.frames->frameTimes();
  if (s.times.size() >= 2) s.fps = (s.times.size() - 1) / std::max(1e-3, s.times.back() - s.times.front());
  s.worker = std::thread([this] { run(); });
}

Localizer::~Localizer() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
  }
  state_->wake.notify_all();
  state_->worker.join();
}

void Localizer::setPlayhead(double seconds, bool playing) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->playhead = seconds;
    state_->playing = playing;
  }
  state_->wake.notify_all();
}

void Localizer::setSoundtrack(std::shared_ptr<const Soundtrack> soundtrack) {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->soundtrack = std::move(soundtrack);
    ++state_->generation;
    state_->maps.clear();
  }
  state_->wake.notify_all();
}

uint64_t Localizer::soundtrackGeneration() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->generation;
}

std::string Localizer::lastError() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->error;
}

const std::vector<double>& Localizer::frameTimes() const { return state_->times; }

MapAt Localizer::mapAt(double t) const {
  const auto& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  MapAt out;
  if (s.maps.empty()) return out;
  const int64_t idx = s.frameIndexAt(t);
  auto after = s.maps.upper_bound(idx);
  const bool hasAfter = after != s.maps.end();
  const bool hasBefore = after != s.maps.begin();
  // Interpolate only across a gap the stride explains; otherwise hold the
  // nearer map (it is at most a second away).
  const double maxGap = std::max(1.0, 3.0 * s.stride / s.fps);
  if (hasBefore) {
    auto before = std::prev(after);
    const double tb = s.times[before->first];
    if (t - tb > maxGap) return out;
    out.valid = true;
    out.before = out.after = before->second;
    out.beforeTime = out.afterTime = tb;
    if (hasAfter) {
      const double ta = s.times[after->first];
      if (ta - tb <= maxGap) {
        out.after = after->second;
        out.afterTime = ta;
        out.blend = static_cast<float>(std::clamp((t - tb) / std::max(1e-6, ta - tb), 0.0, 1.0));
      }
    }
  } else if (hasAfter && s.times[after->first] - t <= 0.5) {
    out.valid = true;
    out.before = out.after = after->second;
    out.beforeTime = out.afterTime = s.times[after->first];
  }
  return out;
}

LocalizerStats Localizer::stats() const {
  const auto& s = *state_;
  std::lock_guard<std::mutex> lock(s.mutex);
  LocalizerStats out;
  const auto now = Clock::now();
  const auto recent = std::count_if(s.completed.begin(), s.completed.end(),
                                    [&](auto t) { return now - t <= std::chrono::seconds(2); });
  out.mapsPerSecond = recent / 2.0;
  out.latencyMs = s.latencyMs;
  out.visualMs = s.visualMs;
  out.audioMs = s.audioMs;
  out.stride = s.playing ? s.stride : 1;
  out.cachedMaps = s.maps.size();
  out.cachedRegions = s.regionCount;
  out.device = s.model->device();
  return out;
}

void Localizer::run() {
  auto& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  while (!s.stop) {
    const int64_t target = s.nextTarget();
    if (target < 0) {
      s.wake.wait_for(lock, std::chrono::milliseconds(50));
      continue;
    }
    const uint64_t generation = s.generation;
    const auto soundtrack = s.soundtrack;
    const int64_t playheadIndex = s.frameIndexAt(s.playhead);
    lock.unlock();

    const auto t0 = Clock::now();
    double visualMs = -1, audioMs = 0;
    HeatMap map{};
    std::string error;
    try {
      std::shared_ptr<const VisualFeatures> regions;
      if (auto it = s.regions.find(target); it != s.regions.end()) {
        regions = it->second;
      } else {
        const auto tv = Clock::now();
        const FrameImage frame = s.frames->frame(target);
        regions = s.model->visual(frame.rgb.data(), frame.width, frame.height);
        visualMs = msSince(tv);
        s.regions[target] = regions;
        s.evictRegions(playheadIndex);
      }
      const auto ta = Clock::now();
      const std::vector<float> window = soundtrack->window(s.times[target]);
      const auto audio = s.model->audio(window.data());
      audioMs = msSince(ta);
      map = s.model->map(*regions, *audio);
    } catch (const std::exception& e) {
      error = e.what();
    }
    const double totalMs = msSince(t0);

    lock.lock();
    s.regionCount = s.regions.size();
    if (!error.empty()) {
      if (s.error != error) spdlog::error("localizer: frame {}: {}", target, error);
      s.error = error;
      // Do not spin on a frame that cannot be computed: mark it with an empty map.
      s.maps[target] = HeatMap{};
      continue;
    }
    if (visualMs >= 0) {
      smooth(s.visualMs, visualMs);
      smooth(s.latencyMs, totalMs);  // the full cost of a frame seen for the first time
    }
    smooth(s.audioMs, audioMs);
    if (generation == s.generation) s.maps[target] = map;
    s.completed.push_back(Clock::now());
    while (!s.completed.empty() && Clock::now() - s.completed.front() > std::chrono::seconds(2)) s.completed.pop_front();
    const int stride = s.plannedStride();
    if (stride != s.stride) spdlog::debug("localizer: {:.1f} ms per map, computing every {} frame(s)", s.latencyMs, stride);
    s.stride = stride;
    s.evict(s.frameIndexAt(s.playhead));
  }
}

}  // namespace soundspot::engine
