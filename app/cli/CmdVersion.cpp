// `soundspot-cli about`: versions of the libraries SoundSpot was built with.
#include "app/cli/Command.h"

#include <torch/torch.h>

#include <cstdio>

namespace soundspot::cli {
namespace {

CommandRegistration reg("about", [](CLI::App& app) {
  auto* cmd = app.add_subcommand("about", "Print versions, licence and build options");
  cmd->callback([] {
    std::printf("SoundSpot %s (GPL-3.0-or-later)\n", SOUNDSPOT_VERSION);
    std::printf("LibTorch %s, CUDA available: %s\n", TORCH_VERSION, torch::cuda::is_available() ? "yes" : "no");
#ifdef SOUNDSPOT_HAS_FFMPEG
    std::printf("FFmpeg: yes\n");
#else
    std::printf("FFmpeg: no (media commands unavailable)\n");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
