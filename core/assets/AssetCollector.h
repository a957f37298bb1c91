#pragma once
// Gathers the real cut-out pictures and recordings named in the class file
// (resources/data/object-classes.json) from the installed Debian packages
// (qabcs-data, gcompris-qt-data .rcc archives, openclipart-png, lmms-common,
// tuxpaint-stamps-default (stamp photos/drawings with their sound effects),
// General MIDI SoundFonts rendered with FluidSynth), the emoji artwork of the
// npm packages openmoji and @twemoji/svg, and the background photos
// (plasma-workspace-wallpapers) into an AssetPack.
// Qt reads the PNG/JPEG/SVG files and the .rcc archives; sounds are decoded
// with media::MediaReader. The header has no Qt so the CLI stays Qt-free.
#include "core/common/Progress.h"
#include "core/data/AssetPack.h"

#include <filesystem>
#include <vector>

namespace soundspot::assets {

struct AssetSources {
  std::filesystem::path classFile;  // object-classes.json
  std::filesystem::path qabcsDir = "/usr/share/qabcs/abcs/all";
  std::filesystem::path gcomprisRccDir = "/usr/share/gcompris-qt/rcc";
  std::filesystem::path openclipartDir = "/usr/share/openclipart/png";  // items: <category>/<file>.png, or a file of recreation/music/
  std::filesystem::path lmmsDir = "/usr/share/lmms/samples";
  std::filesystem::path tuxpaintDir = "/usr/share/tuxpaint/stamps";  // tuxpaint-stamps-default
  std::filesystem::path scratchDir = "/usr/share/scratch/Media";     // scratch: items Sounds/<kind>/<file>, Costumes/<kind>/<file>
  std::filesystem::path wallpaperDir = "/usr/share/wallpapers";
  // Where packaging/install-deps.sh puts the npm emoji packages
  // ($SOUNDSPOT_NPM_DIR overrides it).
  std::filesystem::path npmDir = defaultNpmDir();
  std::vector<std::filesystem::path> soundfontDirs = {"/usr/share/sounds/sf2", "/usr/share/sounds/sf3"};
  int maxImageSide = 200;        // cut-outs are drawn at most ~170 px high
  int backgroundHeight = 240;    // the scene height
  double maxSoundSeconds = 8.0;  // keeps the pack small
  int maxBackgrounds = 40;

  static std::filesystem::path defaultNpmDir();
};

// Items that cannot be found or decoded are skipped with a warning; throws
// Error naming the class file when it is unreadable or nothing usable is left.
// Splits are assigned with data::assignInstanceSplits(pack, splitSeed).
data::AssetPack collectAssets(const AssetSources& sources, uint64_t splitSeed, const CancelToken* cancel = nullptr);

}  // namespace soundspot::assets
