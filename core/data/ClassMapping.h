#pragma once
// The class mapping file (resources/data/object-classes.json): every AudioSet
// class name maps to the items of the scene sources (qabcs, gcompris,
// openclipart, emoji, SoundFont presets, lmms samples) that show or sound
// like it. Parsed here, without Qt, so that the parser can be tested and
// fuzzed apart from the asset collector (core/assets) that uses it.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace soundspot::data {

struct ClassItem {
  std::string source;    // e.g. "qabcs", "soundfont"
  std::string kind;      // "pair" (image and sound), "image" or "sound"
  std::string item;      // what the source calls it
  nlohmann::json entry;  // the whole entry, with source-specific fields (a SoundFont preset)
};

struct ClassMapping {
  // Class name -> its items, in the order of the parsed JSON object (sorted by name).
  std::vector<std::pair<std::string, std::vector<ClassItem>>> classes;
};

// Throws soundspot::Error naming `name` (the file), the class and the item
// when the text is not valid JSON, has no "classes" object, a class is not a
// list, an entry is not an object with string source/kind/item (kind pair,
// image or sound), a SoundFont entry's preset fields are out of range, or an
// item (source/item) is listed twice (its split follows its id).
ClassMapping parseClassMapping(const std::string& text, const std::string& name);
ClassMapping readClassMapping(const std::filesystem::path& path);

}  // namespace soundspot::data
