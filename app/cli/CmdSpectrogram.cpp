// `soundspot-cli spectrogram MEDIA --at SECONDS --out FILE.npy`: the network's
// audio input for the second centred on a time (257 x 200 float32 .npy,
// frequency major, as in core/audio/Spectrogram.h).
#include "app/cli/Command.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/common/Npy.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <sstream>

namespace soundspot::cli {
namespace {

struct SpectrogramArgs {
  std::string media, out;
  double at = 0;
};

CommandRegistration reg("spectrogram", [](CLI::App& app) {
  auto a = std::make_shared<SpectrogramArgs>();
  auto* cmd = app.add_subcommand(
      "spectrogram", "Save the log-spectrogram of the 1 s of audio centred on a time (257x200 float32 .npy)");
  cmd->add_option("media", a->media, "Media file with an audio stream")->required();
  cmd->add_option("--at", a->at, "Centre of the 1 s window, in seconds")->required();
  cmd->add_option("-o,--out", a->out, "Output .npy")->required();
  cmd->callback([a] {
#ifdef SOUNDSPOT_HAS_FFMPEG
    if (!std::filesystem::exists(a->media)) throw UsageError(a->media, "no such file");
    media::MediaReader reader(a->media);
    const auto& info = reader.info();
    if (!info.hasAudio) throw UsageError(a->media, "has no audio stream");
    if (!std::isfinite(a->at) || a->at < 0 || a->at > info.duration) {
      std::ostringstream msg;
      msg << "time " << a->at << " s is outside the media (0 to " << info.duration << " s)";
      throw UsageError(a->media, msg.str());
    }
    // Samples outside the media come back as zeros, as the definition asks.
    const auto window = reader.audio(a->at - 0.5, double(audio::kWindowSamples) / audio::kSampleRate);
    if (window.size() != size_t(audio::kWindowSamples))
      throw Error(a->media, "decoded " + std::to_string(window.size()) + " samples instead of " +
                                std::to_string(audio::kWindowSamples));
    const auto spec = audio::logSpectrogram(window.data());
    writeNpy(a->out, {audio::kBins, audio::kFrames}, spec.data());
    spdlog::info("spectrogram of {} at {:.3f} s ({}x{}) written to {}", a->media, a->at, audio::kBins,
                 audio::kFrames, a->out);
#else
    throw Error(a->media, "cannot be decoded: this build has no FFmpeg");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
