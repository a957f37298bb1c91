#include "core/engine/OverlayExport.h"

#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/common/Error.h"
#include "core/common/Npy.h"
#include "core/engine/MapModel.h"
#include "core/media/MediaReader.h"
#include "core/media/MediaWriter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace soundspot::engine {

bool exportOverlayVideo(const ExportRequest& request, MapModel& model, const Soundtrack& soundtrack,
                        const Progress::Callback& report, const CancelToken* cancel) {
  media::MediaReader reader(request.media);
  const auto& info = reader.info();
  if (!info.hasVideo) throw Error(request.media, "has no video track");
  std::vector<double> times = reader.frameTimestamps();
  if (times.empty()) throw Error(request.media, "has no video frames");
  double fps = info.frameRate > 0 ? info.frameRate : 25.0;
  // A still image is held for as long as the sound plays, so that the map
  // follows the sound (25 maps per second).
  if (times.size() == 1) {
    fps = 25.0;
    const auto frames = static_cast<size_t>(std::max(1.0, std::floor((soundtrack.duration() - soundtrack.offset) * fps)));
    times.resize(frames);
    for (size_t i = 0; i < frames; ++i) times[i] = static_cast<double>(i) / fps;
  }
  // H.264 in 4:2:0 needs even dimensions: drop a last odd row/column.
  const int outW = info.width & ~1, outH = info.height & ~1;
  media::MediaWriter writer(request.output.string(), outW, outH, fps, kSoundtrackRate, request.crf);

  Progress progress("localize", static_cast<int64_t>(times.size()), report);
  std::vector<float> allMaps;
  if (!request.mapsNpy.empty()) allMaps.reserve(times.size() * kMapSize * kMapSize);
  std::vector<uint8_t> even(static_cast<size_t>(outW) * outH * 3);
  for (size_t i = 0; i < times.size(); ++i) {
    if (cancel && cancel->cancelled()) return false;
    media::RgbFrame frame = reader.frameAt(times[i]);
    const std::vector<float> window = soundtrack.window(times[i]);
    const HeatMap map = model.localize(frame.rgb.data(), frame.width, frame.height, window.data());
    if (!request.mapsNpy.empty()) allMaps.insert(allMaps.end(), map.begin(), map.end());
    drawOverlay(frame.rgb.data(), frame.width, frame.height, map, request.style);
    for (int y = 0; y < outH; ++y)
      std::memcpy(&even[static_cast<size_t>(y) * outW * 3], &frame.rgb[static_cast<size_t>(y) * frame.width * 3],
                  static_cast<size_t>(outW) * 3);
    writer.addFrame(even.data());
    progress.advance();
  }
  // The soundtrack as heard over the length of the video.
  const double duration = times.back() + 1.0 / fps;
  std::vector<float> audio(static_cast<size_t>(duration * kSoundtrackRate));
  soundtrack.read(0, audio.data(), audio.size());
  writer.addAudio(audio.data(), audio.size());
  if (cancel && cancel->cancelled()) return false;
  writer.finish();
  if (!request.mapsNpy.empty())
    writeNpy(request.mapsNpy, {static_cast<int64_t>(times.size()), kMapSize, kMapSize}, allMaps.data());
  progress.finish();
  spdlog::info("wrote {} ({} frames, audio: {})", request.output.string(), times.size(), soundtrack.name);
  return true;
}

}  // namespace soundspot::engine
#endif
