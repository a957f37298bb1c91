#pragma once
// A PNG grid of scene frames with their ground-truth boxes drawn on top
// (sounding objects in green, silent ones in red), to check a generated
// dataset by eye. The header has no Qt.
#include "core/data/SceneComposer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::assets {

struct SheetTile {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
  std::vector<data::SceneBox> boxes;
  std::string caption;
};

// Atomic; throws Error naming the file when it cannot be written.
void writeContactSheet(const std::filesystem::path& png, const std::vector<SheetTile>& tiles, int columns = 4);

}  // namespace soundspot::assets
