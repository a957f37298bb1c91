#pragma once
// Writes a video with the localization overlay drawn on every frame (CPU
// path, Overlay.h) and the chosen soundtrack: `soundspot-cli localize` and the
// viewer's File > Export overlay video.
#include "core/common/Progress.h"
#include "core/engine/HeatMap.h"
#include "core/engine/Overlay.h"
#include "core/engine/Soundtrack.h"

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::engine {

class MapModel;

struct ExportRequest {
  std::string media;                // the video
  std::filesystem::path output;     // .mp4, written atomically
  std::filesystem::path mapsNpy;    // optional: frames x 14 x 14 float32
  OverlayStyle style;
  int crf = 20;
};

#ifdef SOUNDSPOT_HAS_FFMPEG
// Computes a map for every frame with `model` against `soundtrack` and writes
// the overlay video. Returns false (and writes nothing) when cancelled;
// throws Error on unreadable input or unwritable output.
bool exportOverlayVideo(const ExportRequest& request, MapModel& model, const Soundtrack& soundtrack,
                        const Progress::Callback& report, const CancelToken* cancel);
#endif

}  // namespace soundspot::engine
