#pragma once
// Reader of a dataset folder (shared/specs/dataset-format.md): dataset.json
// listing clips with optional split, AudioSet labels and annotated instants.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace soundspot::data {

// dataset.json larger than this is refused before parsing (parsing takes
// about ten times the file in memory): 64 MiB is some 300,000 clips.
constexpr std::uintmax_t kMaxDatasetJsonBytes = 64ull << 20;

struct ObjectBox {
  std::string label;
  std::array<double, 4> box{};  // x0, y0, x1, y1 normalised to the displayed frame
};

struct Annotation {
  double time = 0;                  // seconds from the start of the media
  std::vector<ObjectBox> sounding;  // empty: the sound source is not visible
  std::vector<ObjectBox> silent;    // visible distractors
};

struct Clip {
  std::string id;
  std::filesystem::path media;  // absolute
  std::string split;            // "" = belongs to every split
  std::string subset;           // optional finer split, e.g. "test-seen" / "test-unseen" (SoundSpot Scenes)
  std::vector<std::string> labels;
  std::vector<Annotation> annotations;

  // `wanted` is a split ("train", "val", "test"), a subset ("test-seen") or "" (all).
  bool inSplit(const std::string& wanted) const {
    return split.empty() || wanted.empty() || split == wanted || (!subset.empty() && subset == wanted);
  }
};

struct Dataset {
  std::filesystem::path dir;
  std::string name;
  std::string ontology;
  std::vector<Clip> clips;
  bool plainFolder = false;  // made from a folder of media files (MediaFolder.h), not dataset.json

  // What to name in messages: dataset.json, or the plain folder.
  std::filesystem::path source() const { return plainFolder ? dir : dir / "dataset.json"; }
  // The clips of one split or subset, in file order ("" = all clips).
  std::vector<Clip> split(const std::string& wanted) const;
};

// Answers whether a label is a known class name (e.g. an AudioSet ontology's
// `name`); an empty function accepts every label.
using LabelCheck = std::function<bool(const std::string& label)>;

// Parses DIR/dataset.json. Throws soundspot::Error naming dataset.json, the
// clip and the field for any malformed entry (and unknown labels when a
// LabelCheck is given). Media files are not opened here.
Dataset loadDataset(const std::filesystem::path& dir, const LabelCheck& knownLabel = {});

// Valid split names of the format.
bool isValidSplit(const std::string& split);

}  // namespace soundspot::data
