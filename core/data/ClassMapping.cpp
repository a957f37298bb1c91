#include "core/data/ClassMapping.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonNumbers.h"

#include <cmath>
#include <set>

namespace soundspot::data {

namespace {

using nlohmann::json;

// Every problem names the file, the class and the field.
struct Where {
  const std::string& file;
  std::string what;  // "class 'Dog' item 2"
  [[noreturn]] void fail(const std::string& problem) const { throw Error(file, what + ": " + problem); }
};

std::string stringField(const json& entry, const char* key, const Where& w) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_string()) w.fail(std::string("'") + key + "' must be a string");
  return it->get<std::string>();
}

// The SoundFont preset fields that the collector's renderer reads (all optional).
void checkSoundfontFields(const json& entry, const Where& w) {
  stringField(entry, "font", w);
  auto integer = [&](const char* key, int64_t lo, int64_t hi) {
    const auto it = entry.find(key);
    if (it == entry.end()) return;
    if (!wholeNumberIn(*it, lo, hi))
      w.fail(std::string("'") + key + "' must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  };
  integer("bank", 0, 128);
  integer("program", 0, 127);
  if (const auto notes = entry.find("notes"); notes != entry.end()) {
    if (!notes->is_array() || notes->empty()) w.fail("'notes' must be a non-empty list of MIDI keys");
    for (const auto& n : *notes)
      if (!wholeNumberIn(n, 0, 127)) w.fail("'notes' must hold MIDI keys 0..127");
  }
  auto seconds = [&](const char* key, double lo) {
    const auto it = entry.find(key);
    if (it == entry.end()) return;
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < lo || it->get<double>() > 30)
      w.fail(std::string("'") + key + "' must be a number of seconds up to 30");
  };
  seconds("note_seconds", 0.01);
  seconds("tail_seconds", 0);
}

}  // namespace

ClassMapping parseClassMapping(const std::string& text, const std::string& name) {
  json classFile;
  try {
    classFile = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(name, std::string("not valid JSON: ") + e.what());
  }
  if (!classFile.is_object() || !classFile.contains("classes") || !classFile["classes"].is_object())
    throw Error(name, "missing 'classes' object");
  ClassMapping mapping;
  std::set<std::string> ids;
  for (const auto& [label, items] : classFile["classes"].items()) {
    if (!items.is_array()) throw Error(name, "class '" + label + "': must be a list of items");
    std::vector<ClassItem> parsed;
    for (size_t i = 0; i < items.size(); ++i) {
      const json& entry = items[i];
      const Where w{name, "class '" + label + "' item " + std::to_string(i)};
      if (!entry.is_object()) w.fail("must be an object");
      ClassItem it;
      it.source = stringField(entry, "source", w);
      it.kind = stringField(entry, "kind", w);
      it.item = stringField(entry, "item", w);
      if (it.kind != "pair" && it.kind != "image" && it.kind != "sound")
        w.fail("'kind' is '" + it.kind + "', expected pair, image or sound");
      if (it.source == "soundfont") checkSoundfontFields(entry, w);
      if (entry.contains("drawing") && !entry["drawing"].is_boolean()) w.fail("'drawing' must be true or false");
      it.entry = entry;
      // The split of an instance follows its id, so one id must be one instance.
      if (!ids.insert(it.source + "/" + it.item).second)
        throw Error(name, "item '" + it.source + "/" + it.item + "' is listed twice");
      parsed.push_back(std::move(it));
    }
    mapping.classes.emplace_back(label, std::move(parsed));
  }
  return mapping;
}

ClassMapping readClassMapping(const std::filesystem::path& path) { return parseClassMapping(readFile(path), path.string()); }

}  // namespace soundspot::data
