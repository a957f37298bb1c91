#pragma once
// Where the Localizer gets frames: its own reader, used only on the worker
// thread (media readers are not thread-safe). Tests provide synthetic ones.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace soundspot::engine {

struct FrameImage {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // packed RGB24
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Presentation times of all frames, ascending.
  virtual const std::vector<double>& frameTimes() = 0;
  virtual FrameImage frame(int64_t index) = 0;
};

#ifdef SOUNDSPOT_HAS_FFMPEG
// Frames of a media file through media::MediaReader (throws Error).
std::unique_ptr<FrameSource> openMediaFrames(const std::string& path);
#endif

}  // namespace soundspot::engine
