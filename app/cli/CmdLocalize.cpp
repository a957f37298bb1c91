// `soundspot-cli localize`: the viewer's overlay export, headless. Computes
// an AVOL-Net map for every frame (optionally against another clip's audio)
// and writes the overlay video, and the maps as frames x 14 x 14 float32.
#include "app/cli/Command.h"
#include "core/common/Error.h"
#include "core/common/Paths.h"
#include "core/common/Progress.h"
#include "core/engine/MapModel.h"
#include "core/engine/OverlayExport.h"
#include "core/engine/Soundtrack.h"

#include <spdlog/spdlog.h>

#include <memory>

namespace soundspot::cli {
namespace {

struct LocalizeArgs {
  std::string media, model, audio, out, maps, colormap = "jet", device = "auto";
  float opacity = 0.5f, threshold = 0.2f;
};

void runLocalize(const LocalizeArgs& a) {
#ifdef SOUNDSPOT_HAS_FFMPEG
  const auto style = engine::OverlayStyle{engine::parseColormap(a.colormap), a.opacity, a.threshold};
  if (a.opacity < 0 || a.opacity > 1) throw UsageError("--opacity", "must be between 0 and 1");
  if (a.threshold < 0 || a.threshold > 1) throw UsageError("--threshold", "must be between 0 and 1");
  const std::filesystem::path modelDir = a.model.empty() ? resourceDir() / "models" / "avol" : std::filesystem::path(a.model);
  engine::MapModel model(modelDir, nn::parseDeviceChoice(a.device));
  engine::Soundtrack soundtrack;
  if (a.audio.empty()) {
    soundtrack = engine::loadSoundtrack(a.media, 0, true);
  } else {
    const auto [file, offset] = engine::parseAudioSpec(a.audio);
    soundtrack = engine::loadSoundtrack(file, offset, false);
  }
  engine::ExportRequest request{a.media, a.out, a.maps, style};
  CancelToken cancel;
  cancelOnSignal(cancel);
  if (!engine::exportOverlayVideo(request, model, soundtrack, Progress::terminalBar("localize"), &cancel))
    throw Error(a.out, "cancelled; nothing written");
#else
  (void)a;
  throw Error("localize", "this build has no media support (built without FFmpeg)");
#endif
}

CommandRegistration reg("localize", [](CLI::App& app) {
  auto args = std::make_shared<LocalizeArgs>();
  auto* cmd = app.add_subcommand("localize", "Draw where the sound comes from on every frame (AVOL-Net) into a video");
  cmd->add_option("media", args->media, "Video to localize")->required()->check(CLI::ExistingFile);
  cmd->add_option("--model", args->model, "AVOL-Net model folder (default: the bundled resources/models/avol)");
  cmd->add_option("--audio", args->audio, "Listen to another file's audio instead: OTHER[@OFFSET_SECONDS]");
  cmd->add_option("--out", args->out, "Output video (.mp4)")->required();
  cmd->add_option("--maps", args->maps, "Also write the maps: frames x 14 x 14 float32 .npy");
  cmd->add_option("--colormap", args->colormap, "jet, inferno, viridis or greyscale")->capture_default_str();
  cmd->add_option("--opacity", args->opacity, "Overlay opacity 0..1")->capture_default_str();
  cmd->add_option("--threshold", args->threshold, "Map values below are not drawn, 0..1")->capture_default_str();
  cmd->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  cmd->callback([args] { runLocalize(*args); });
});

}  // namespace
}  // namespace soundspot::cli
