// `soundspot-cli bench viewer [MEDIA] --model M`: the viewer's map pipeline
// without a window. The engine's Localizer (the worker the viewer uses)
// follows a playhead that advances in real time, as during playback; the
// command reports how many displayed frames had their own map, the maps/s,
// the stride the Localizer chose and the cost per map, then how long an
// audio swap takes until the paused frame shows a map of the new audio.
#include "app/cli/Command.h"
#include "app/cli/Stopwatch.h"

#include "core/common/Error.h"
#include "core/nn/Device.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/engine/FrameSource.h"
#include "core/engine/Localizer.h"
#include "core/engine/MapModel.h"
#include "core/engine/Soundtrack.h"
#endif

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <numeric>
#include <thread>

namespace soundspot::cli {
namespace {

struct BenchViewerArgs {
  std::string media = "resources/demo/demo.mp4", model = "resources/models/avol", audio, device = "auto";
  double seconds = 0;
  int swaps = 5;
};

#ifdef SOUNDSPOT_HAS_FFMPEG
void runBenchViewer(const BenchViewerArgs& a) {
  auto frames = engine::openMediaFrames(a.media);
  auto model = std::make_unique<engine::MapModel>(a.model, nn::parseDeviceChoice(a.device));
  const std::string device = model->device();
  auto original = std::make_shared<engine::Soundtrack>(engine::loadSoundtrack(a.media, 0, true));
  // The swap's audio: another file, or the clip's own audio 3 s later.
  auto other = std::make_shared<engine::Soundtrack>(a.audio.empty() ? *original : engine::loadSoundtrack(a.audio));
  if (a.audio.empty()) other->offset = 3.0;
  engine::Localizer localizer(std::move(frames), std::move(model));
  const std::vector<double>& times = localizer.frameTimes();
  if (times.size() < 2) throw Error(a.media, "has fewer than 2 video frames");
  const double duration = times.back();
  const double playSeconds = a.seconds > 0 ? std::min(a.seconds, duration) : duration;
  localizer.setSoundtrack(original);

  // Playback: the playhead follows the wall clock; every frame that comes on
  // screen is checked for a map of its own (not one held or blended).
  localizer.setPlayhead(0, true);
  const auto t0 = Clock::now();
  int64_t shown = 0, withOwnMap = 0, lastFrame = -1;
  std::vector<double> mapsPerSecond;
  int maxStride = 1;
  for (double t = 0; t < playSeconds; t = secondsSince(t0)) {
    localizer.setPlayhead(t, true);
    const int64_t frame = std::upper_bound(times.begin(), times.end(), t + 1e-6) - times.begin() - 1;
    if (frame != lastFrame) {
      // Checked at the end of the frame's period, when the display would swap to the next.
      if (lastFrame >= 0) {
        const engine::MapAt m = localizer.mapAt(times[lastFrame]);
        ++shown;
        if (m.valid && m.beforeTime == times[lastFrame]) ++withOwnMap;
      }
      lastFrame = frame;
    }
    const auto st = localizer.stats();
    if (t > 1.0) mapsPerSecond.push_back(st.mapsPerSecond);  // after the first second's warm-up
    maxStride = std::max(maxStride, st.stride);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto playStats = localizer.stats();

  // Audio swap while paused: time until the frame on screen has a map of the new audio.
  std::vector<double> swapMs;
  for (int i = 0; i < a.swaps; ++i) {
    const double at = duration * (i + 0.5) / a.swaps;
    localizer.setPlayhead(at, false);
    localizer.setSoundtrack(original);
    const auto wait0 = Clock::now();
    while (!localizer.mapAt(at).valid && secondsSince(wait0) < 30) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const auto s0 = Clock::now();
    localizer.setSoundtrack(other);
    while (!localizer.mapAt(at).valid && secondsSince(s0) < 30) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    swapMs.push_back(secondsSince(s0) * 1000);
  }
  if (!localizer.lastError().empty()) throw Error(a.media, localizer.lastError());

  const double meanMaps = mapsPerSecond.empty() ? 0
                                                : std::accumulate(mapsPerSecond.begin(), mapsPerSecond.end(), 0.0) / mapsPerSecond.size();
  nlohmann::json out = {
      {"media", a.media},
      {"model", a.model},
      {"device", device},
      {"threads", nn::cpuThreads()},
      {"video_fps", (times.size() - 1) / std::max(1e-6, times.back() - times.front())},
      {"played_seconds", playSeconds},
      {"frames_shown", shown},
      {"frames_with_own_map", shown ? double(withOwnMap) / shown : 0.0},
      {"maps_per_s", meanMaps},
      {"max_stride", maxStride},
      {"ms_per_map", playStats.latencyMs},
      {"visual_ms", playStats.visualMs},
      {"audio_ms", playStats.audioMs},
      {"swap_ms_mean", std::accumulate(swapMs.begin(), swapMs.end(), 0.0) / std::max<size_t>(1, swapMs.size())},
      {"swap_ms_max", swapMs.empty() ? 0 : *std::max_element(swapMs.begin(), swapMs.end())},
  };
  std::printf("%s\n", out.dump().c_str());
}
#endif

CommandRegistration reg("bench-viewer", [](CLI::App& app) {
  auto* bench = parentCommand(app, "bench", "Measure the speed of parts of SoundSpot");
  auto a = std::make_shared<BenchViewerArgs>();
  auto* cmd = bench->add_subcommand(
      "viewer", "The viewer's map pipeline in real time: share of frames with their own map, maps/s, audio swap latency");
  cmd->add_option("media", a->media, "Video to play")->capture_default_str();
  cmd->add_option("--model", a->model, "AVOL-Net model folder")->capture_default_str();
  cmd->add_option("--audio", a->audio, "Audio to swap in (default: the clip's own audio 3 s later)");
  cmd->add_option("--seconds", a->seconds, "Seconds of playback (default: the whole video)");
  cmd->add_option("--swaps", a->swaps, "Audio swaps to time")->check(CLI::Range(1, 100))->capture_default_str();
  cmd->add_option("--device", a->device, "auto | cpu | cuda")->capture_default_str();
  cmd->callback([a] {
#ifdef SOUNDSPOT_HAS_FFMPEG
    runBenchViewer(*a);
#else
    throw Error("bench viewer", "this build has no FFmpeg (media decoding)");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
