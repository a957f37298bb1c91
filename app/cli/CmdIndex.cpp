// `soundspot-cli index SOURCE --model MODEL --out INDEX`: the cross-modal
// retrieval index of a dataset folder, a folder of media files or one media
// file (one entry per second). Ctrl-C stops after the clip in progress is
// abandoned; running the same command again resumes.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/nn/Device.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/IndexBuilder.h"
#include "core/retrieval/IndexSource.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace soundspot::cli {
namespace {

struct IndexArgs {
  std::string source, model, out, split, device = "auto";
  int batch = 16;
};

void runIndex(const IndexArgs& a) {
  namespace fs = std::filesystem;
  if (!fs::exists(a.source)) throw UsageError(a.source, "no such dataset folder, media folder or media file");
  if (!fs::is_directory(a.model)) throw UsageError(a.model, "is not a model folder");
  retrieval::BuildOptions opts;
  opts.device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
  opts.batchSize = a.batch;
  const retrieval::IndexSource source =
      retrieval::scanSource(a.source, a.split, {a.out, retrieval::partialBuildDir(a.out)});
  if (source.clips.empty())
    throw Error(a.source, a.split.empty() ? "holds no media files to index" : "has no clips in split '" + a.split + "'");
  spdlog::info("indexing {} clips of {} ({}) with {} on {}", source.clips.size(), source.path.string(), source.kind,
               a.model, opts.device);
  CancelToken cancel;
  cancelOnSignal(cancel);
  Progress progress("index", static_cast<int64_t>(source.clips.size()), Progress::terminalBar("index"));
  const retrieval::BuildResult r = retrieval::buildIndex(source, a.model, a.out, progress, &cancel, opts);
  const nlohmann::json line = {{"index", fs::absolute(a.out).lexically_normal().string()},
                               {"entries", r.entries},
                               {"clips", r.clips},
                               {"skipped", r.skipped},
                               {"resumed_clips", r.resumedClips},
                               {"seconds", r.seconds},
                               {"entries_per_s", r.seconds > 0 ? r.newEntries / r.seconds : 0.0},
                               {"device", opts.device}};
  std::printf("%s\n", line.dump().c_str());
}

CommandRegistration reg("index", [](CLI::App& app) {
  auto args = std::make_shared<IndexArgs>();
  auto* cmd = app.add_subcommand("index", "Build a cross-modal retrieval index (one entry per second of each clip)");
  cmd->add_option("source", args->source, "Dataset folder (dataset.json), folder of media files, or a media file")
      ->required();
  cmd->add_option("--model", args->model, "Model folder (card.json + weights)")->required();
  cmd->add_option("--out", args->out, "Index folder to write (an unfinished build there is resumed)")->required();
  cmd->add_option("--split", args->split, "Dataset sources: index only this split (train, val, test) or subset");
  cmd->add_option("--device", args->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--batch", args->batch, "Entries per inference batch")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->callback([args] { runIndex(*args); });
});

}  // namespace
}  // namespace soundspot::cli
