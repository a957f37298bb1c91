// FrameSource over media::MediaReader.
#include "core/engine/FrameSource.h"

#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"

namespace soundspot::engine {
namespace {

class MediaFrameSource : public FrameSource {
 public:
  explicit MediaFrameSource(const std::string& path) : reader_(path) { times_ = reader_.frameTimestamps(); }
  const std::vector<double>& frameTimes() override { return times_; }
  FrameImage frame(int64_t index) override {
    media::RgbFrame f = reader_.frameAt(times_.at(static_cast<size_t>(index)));
    return FrameImage{f.width, f.height, std::move(f.rgb)};
  }

 private:
  media::MediaReader reader_;
  std::vector<double> times_;
};

}  // namespace

std::unique_ptr<FrameSource> openMediaFrames(const std::string& path) {
  return std::make_unique<MediaFrameSource>(path);
}

}  // namespace soundspot::engine
#endif
