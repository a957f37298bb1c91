// `soundspot-cli pack`: the scene sources as one compact asset pack for
// on-the-fly scene training where neither FFmpeg nor Qt exists.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/common/Paths.h"
#include "core/data/AssetPack.h"
#include "core/data/SceneSplits.h"
#ifdef SOUNDSPOT_HAS_ASSETS
#include "core/assets/AssetCollector.h"
#endif

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>

namespace soundspot::cli {
namespace {

constexpr uintmax_t kPackBudgetBytes = 48ull << 20;  // what the GPU machine may receive

struct PackArgs {
  std::string out, classes, keepSplitsOf;
  uint64_t seed = 0;
};

CommandRegistration reg("pack", [](CLI::App& app) {
  auto a = std::make_shared<PackArgs>();
  auto* cmd = app.add_subcommand("pack", "Build the scene asset pack (.sspack) for on-the-fly training");
  cmd->add_option("--out", a->out, "Asset pack to write (*.sspack)")->required();
  cmd->add_option("--classes", a->classes, "Class mapping file (default: resources/data/object-classes.json)");
  cmd->add_option("--split-seed", a->seed, "Seed of the held-out instance choice (0 = the documented one)");
  cmd->add_option("--keep-splits-of", a->keepSplitsOf,
                  "Take the held-out instances and test backgrounds of this earlier pack (matched by id, else by "
                  "content) instead of choosing them, so that a benchmark made from it stays held out; added instances train")
      ->check(CLI::ExistingFile);
  cmd->callback([a] {
#ifdef SOUNDSPOT_HAS_ASSETS
    assets::AssetSources sources;
    sources.classFile = a->classes.empty() ? resourcePath("data/object-classes.json") : std::filesystem::path(a->classes);
    CancelToken cancel;
    cancelOnSignal(cancel);
    auto pack = assets::collectAssets(sources, a->seed, &cancel);
    if (!a->keepSplitsOf.empty()) {
      const auto adopted = data::adoptInstanceSplits(pack, data::readAssetPack(a->keepSplitsOf));
      spdlog::info("splits of {}: {} held-out instances kept, {} added instances train", a->keepSplitsOf,
                   adopted.heldOutFound, adopted.newInstances);
      if (adopted.heldOutMissing > 0)
        spdlog::warn("{}: {} of its held-out instances are not in this pack (class file or packages differ)",
                     a->keepSplitsOf, adopted.heldOutMissing);
    }
    data::writeAssetPack(pack, a->out);
    const auto bytes = std::filesystem::file_size(a->out);
    if (bytes > kPackBudgetBytes) spdlog::warn("{}: {} MiB, over the 48 MiB budget", a->out, bytes >> 20);
    size_t unseenImages = 0, unseenSounds = 0;
    for (const auto& im : pack.images) unseenImages += im.split == data::InstanceSplit::Unseen;
    for (const auto& s : pack.sounds) unseenSounds += s.split == data::InstanceSplit::Unseen;
    std::printf("{\"out\": \"%s\", \"bytes\": %ju, \"classes\": %zu, \"images\": %zu, \"sounds\": %zu, "
                "\"backgrounds\": %zu, \"unseenImages\": %zu, \"unseenSounds\": %zu, "
                "\"classesWith3Images3Sounds\": %d}\n",
                a->out.c_str(), uintmax_t(bytes), pack.classes.size(), pack.images.size(), pack.sounds.size(),
                pack.backgrounds.size(), unseenImages, unseenSounds, data::countDiverseClasses(pack));
    const auto counts = data::instancesPerClass(pack);
    for (size_t c = 0; c < counts.size(); ++c)
      spdlog::info("{:>3} images {:>3} recordings  {}", counts[c].images, counts[c].sounds, pack.classes[c]);
#else
    throw Error(a->out, "building an asset pack needs a build with Qt (soundspot_assets)");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
