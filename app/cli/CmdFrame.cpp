// `soundspot-cli frame MEDIA --at SECONDS --out FILE.png`: the frame shown at
// a time, as a PNG.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/ImageFile.h"
#include "core/media/MediaReader.h"
#endif

#include <spdlog/spdlog.h>

#include <cmath>
#include <memory>
#include <sstream>

namespace soundspot::cli {
namespace {

struct FrameArgs {
  std::string media, out;
  double at = 0;
};

CommandRegistration reg("frame", [](CLI::App& app) {
  auto a = std::make_shared<FrameArgs>();
  auto* cmd = app.add_subcommand("frame", "Save the frame displayed at a time as PNG");
  cmd->add_option("media", a->media, "Video file")->required();
  cmd->add_option("--at", a->at, "Time in seconds")->required();
  cmd->add_option("-o,--out", a->out, "Output PNG")->required();
  cmd->callback([a] {
#ifdef SOUNDSPOT_HAS_FFMPEG
    media::MediaReader reader(a->media);
    const auto& info = reader.info();
    if (!info.hasVideo) throw UsageError(a->media, "has no video stream");
    if (!std::isfinite(a->at) || a->at < 0 || a->at > info.duration) {
      std::ostringstream msg;
      msg << "time " << a->at << " s is outside the media (0 to " << info.duration << " s)";
      throw UsageError(a->media, msg.str());
    }
    const media::RgbFrame f = reader.frameAt(a->at);
    media::writePng(a->out, f);
    spdlog::info("frame {} at {:.3f} s ({}x{}) written to {}", f.index, f.time, f.width, f.height, a->out);
#else
    throw Error(a->media, "cannot be decoded: this build has no FFmpeg");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
