// `soundspot-cli scenes`: writes a "SoundSpot Scenes" dataset folder (mp4
// clips + dataset.json with exact boxes) from real cut-outs and recordings.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/common/Paths.h"
#include "core/common/Progress.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneDataset.h"
#ifdef SOUNDSPOT_HAS_ASSETS
#include "core/assets/AssetCollector.h"
#include "core/assets/ContactSheet.h"
#endif

#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>

namespace soundspot::cli {
namespace {

struct ScenesArgs {
  std::string out, pack, classes, splitPlan, preview;
  int count = 100;
  uint64_t seed = 1;
  bool benchmark = false;
  double duration = 8;
};

// The fixed benchmark "SoundSpot Scenes test": 400 clips, half test-seen,
// half test-unseen, seed 2018 (see docs/SCENES.md).
constexpr int kBenchmarkCount = 400;
constexpr uint64_t kBenchmarkSeed = 2018;

data::AssetPack loadOrCollect(const ScenesArgs& a) {
  if (!a.pack.empty()) return data::readAssetPack(a.pack);
#ifdef SOUNDSPOT_HAS_ASSETS
  assets::AssetSources sources;
  sources.classFile = a.classes.empty() ? resourcePath("data/object-classes.json") : std::filesystem::path(a.classes);
  return assets::collectAssets(sources, 0);
#else
  throw UsageError("--pack", "this build has no Qt: give an asset pack made by `soundspot-cli pack`");
#endif
}

CommandRegistration reg("scenes", [](CLI::App& app) {
  auto a = std::make_shared<ScenesArgs>();
  auto* cmd = app.add_subcommand("scenes", "Generate a SoundSpot Scenes dataset folder (mp4 clips + dataset.json)");
  cmd->add_option("--out", a->out, "Dataset folder to write")->required();
  cmd->add_option("--count", a->count, "Number of clips")->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", a->seed, "Random seed (the output is a pure function of it)");
  cmd->add_option("--split-plan", a->splitPlan,
                  "Fractions per split, e.g. train=0.8,val=0.1,test-seen=0.05,test-unseen=0.05 (the default)");
  cmd->add_option("--duration", a->duration, "Clip length in seconds")->check(CLI::Range(2.0, 60.0));
  cmd->add_option("--pack", a->pack, "Use this asset pack instead of collecting the installed sources");
  cmd->add_option("--classes", a->classes, "Class mapping file (default: resources/data/object-classes.json)");
  cmd->add_option("--preview", a->preview, "Also draw a contact sheet of frames with their boxes (PNG)");
  cmd->add_flag("--benchmark", a->benchmark, "The fixed benchmark \"SoundSpot Scenes test\" (400 clips, seed 2018)");
  cmd->callback([a] {
    data::SceneDatasetOptions options;
    options.count = a->count;
    options.seed = a->seed;
    options.rules.duration = a->duration;
    if (!a->splitPlan.empty()) options.splitPlan = data::parseSplitPlan(a->splitPlan);
    if (a->benchmark) {
      options.name = "SoundSpot Scenes test";
      options.count = kBenchmarkCount;
      options.seed = kBenchmarkSeed;
      options.rules = data::SceneRules{};
      options.splitPlan = data::parseSplitPlan("test-seen=0.5,test-unseen=0.5");
    }
    const data::AssetPack pack = loadOrCollect(*a);
    CancelToken cancel;
    cancelOnSignal(cancel);
    Progress progress("scenes", options.count, Progress::terminalBar("scenes"));
    data::writeSceneDataset(pack, options, a->out, progress, &cancel);
    const double seconds = progress.elapsedSeconds();
    spdlog::info("{} clips in {:.1f} s ({:.2f} clips/s)", options.count, seconds, options.count / std::max(seconds, 1e-9));
    std::printf("{\"out\": \"%s\", \"clips\": %d, \"seconds\": %.2f, \"clipsPerSecond\": %.3f}\n", a->out.c_str(),
                options.count, seconds, options.count / std::max(seconds, 1e-9));
    if (!a->preview.empty()) {
#ifdef SOUNDSPOT_HAS_ASSETS
      std::vector<assets::SheetTile> tiles;
      std::map<data::SceneSplit, data::ScenePools> pools;
      for (int i = 0; i < std::min(options.count, 8); ++i) {
        const auto split = data::clipSplit(options, i);
        if (!pools.count(split)) pools.emplace(split, data::scenePools(pack, split));
        const auto plan = data::clipScene(pack, pools.at(split), options, i);
        for (double t : {1.5, options.rules.duration - 1.5}) {
          assets::SheetTile tile;
          tile.width = options.width, tile.height = options.height;
          tile.rgb.resize(size_t(tile.width) * tile.height * 3);
          const double shown = data::frameShownAt(t, options.fps) / options.fps;
          data::renderSceneFrame(pack, plan, options.rules, shown, tile.width, tile.height, tile.rgb.data(), &tile.boxes);
          const int k = int(t);
          const auto& s = plan.seconds[k];
          tile.caption = "#" + std::to_string(i) + " t=" + std::to_string(k) + ".5 " +
                         (s.sound < 0 ? std::string("silence")
                                      : pack.classes[pack.sounds[s.sound].classId] + (s.sounding < 0 ? " (off-screen)" : ""));
          tiles.push_back(std::move(tile));
        }
      }
      assets::writeContactSheet(a->preview, tiles, 4);
#else
      throw UsageError("--preview", "this build has no Qt to draw the contact sheet");
#endif
    }
  });
});

}  // namespace
}  // namespace soundspot::cli
