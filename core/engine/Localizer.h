#pragma once
// Per-frame AVOL-Net inference on a worker thread (std::thread, no Qt), kept
// ahead of the playhead so playback never waits for it:
// - visual regions are cached per frame, so changing the soundtrack only
//   recomputes the audio embeddings (the current frame is redone first);
// - when the machine cannot compute a map for every frame it computes them on
//   a coarser grid of frames (every `stride`-th frame, chosen from the
//   measured cost) and mapAt() returns the two nearest maps with a blend
//   weight for the shader to interpolate in time.
#include "core/engine/FrameSource.h"
#include "core/engine/HeatMap.h"
#include "core/engine/Soundtrack.h"
#include "core/nn/Device.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::engine {

class MapModel;

struct LocalizerOptions {
  double lookAheadSeconds = 1.5;   // how far ahead of the playhead maps are computed
  int maxCachedRegions = 600;      // visual-region cache (about 100 KB per frame)
  double targetLoad = 0.8;         // fraction of the worker's measured capacity to plan for
};

struct MapAt {
  bool valid = false;
  HeatMap before{}, after{};
  float blend = 0;                 // 0 = before, 1 = after
  double beforeTime = 0, afterTime = 0;
};

struct LocalizerStats {
  double mapsPerSecond = 0;        // maps completed over the last second(s)
  double latencyMs = 0;            // compute time of one map (moving average)
  double visualMs = 0, audioMs = 0;
  int stride = 1;                  // maps computed for every stride-th frame
  size_t cachedRegions = 0, cachedMaps = 0;
  std::string device;
};

class Localizer {
 public:
  // Takes ownership of the frame source (used only on the worker thread) and
  // the loaded model. Starts the worker at once.
  Localizer(std::unique_ptr<FrameSource> frames, std::unique_ptr<MapModel> model, LocalizerOptions options = {});
  ~Localizer();  // stops and joins the worker
  Localizer(const Localizer&) = delete;
  Localizer& operator=(const Localizer&) = delete;

  // Where playback is and whether it is moving (paused: every frame near the
  // playhead gets its own map).
  void setPlayhead(double seconds, bool playing);
  // The audio the maps listen to; maps of the previous soundtrack are dropped,
  // visual regions are kept.
  void setSoundtrack(std::shared_ptr<const Soundtrack> soundtrack);
  // The nearest computed maps around video time t.
  MapAt mapAt(double seconds) const;
  LocalizerStats stats() const;
  // Counts soundtrack changes; maps computed for the current one carry it.
  uint64_t soundtrackGeneration() const;
  // The last error of the worker (e.g. a frame that could not be decoded), or "".
  std::string lastError() const;
  const std::vector<double>& frameTimes() const;

 private:
  struct State;
  void run();
  std::unique_ptr<State> state_;
};

}  // namespace soundspot::engine
