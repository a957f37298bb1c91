// `soundspot-cli probe MEDIA`: the stream facts of a media file as JSON.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace soundspot::cli {
namespace {

CommandRegistration reg("probe", [](CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("probe", "Print a media file's stream facts as JSON");
  cmd->add_option("media", *path, "Video or audio file")->required();
  cmd->callback([path] {
#ifdef SOUNDSPOT_HAS_FFMPEG
    media::MediaReader reader(*path);
    const media::StreamInfo& i = reader.info();
    nlohmann::json j = {
        {"path", i.path},
        {"container", i.container},
        {"duration", i.duration},
        {"hasVideo", i.hasVideo},
        {"hasAudio", i.hasAudio},
    };
    if (i.hasVideo)
      j["video"] = {{"codec", i.videoCodec}, {"width", i.width},       {"height", i.height},
                    {"rotation", i.rotation}, {"frameRate", i.frameRate}, {"frameCount", i.frameCount}};
    if (i.hasAudio) j["audio"] = {{"codec", i.audioCodec}, {"sampleRate", i.audioSampleRate}, {"channels", i.audioChannels}};
    std::printf("%s\n", j.dump(2).c_str());
#else
    throw Error(*path, "cannot be probed: this build has no FFmpeg");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
