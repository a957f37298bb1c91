// `soundspot-cli tone-videos`: a plain folder of small synthetic videos (a
// coloured shape that makes a tone of its own, often beside a silent one) to
// try training and fine-tuning on a folder without a dataset.json; optionally
// a dataset folder with the true boxes for `soundspot-cli eval`.
#include "app/cli/Command.h"

#include "core/common/Progress.h"
#include "core/data/ToneShapeVideos.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace soundspot::cli {
namespace {

struct ToneVideosArgs {
  std::string out, truth;
  data::ToneShapeOptions options;
};

CommandRegistration reg("tone-videos", [](CLI::App& app) {
  auto a = std::make_shared<ToneVideosArgs>();
  auto* cmd = app.add_subcommand(
      "tone-videos", "Write a folder of synthetic videos where a moving coloured shape makes a tone (to try folder training)");
  cmd->add_option("--out", a->out, "Folder to write the mp4 files into")->required();
  cmd->add_option("--truth", a->truth,
                  "Also write a dataset folder here whose dataset.json gives the sounding and silent boxes (for eval)");
  cmd->add_option("--clips", a->options.clips, "Number of videos")->check(CLI::Range(1, 100000))->capture_default_str();
  cmd->add_option("--seconds", a->options.seconds, "Length of each video")->check(CLI::Range(1.0, 600.0))->capture_default_str();
  cmd->add_option("--seed", a->options.seed, "Random seed (the output is a pure function of it)")->capture_default_str();
  cmd->add_option("--distractors", a->options.distractorProbability, "Probability of a silent shape beside the sounding one")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->callback([a] {
    CancelToken cancel;
    cancelOnSignal(cancel);
    Progress progress("tone videos", a->options.clips, Progress::terminalBar("tone videos"));
    data::writeToneShapeVideos(a->out, a->options, a->truth, &progress, &cancel);
    progress.finish();
    std::printf("{\"out\": \"%s\", \"clips\": %d, \"seconds\": %.1f}\n", a->out.c_str(), a->options.clips,
                progress.elapsedSeconds());
  });
});

}  // namespace
}  // namespace soundspot::cli
