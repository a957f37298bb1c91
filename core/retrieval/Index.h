#pragma once
// A cross-modal retrieval index: one entry per second of each indexed clip
// (the frame shown at k + 0.5 s and the 1 s of sound centred on it), with the
// L2-normalised image and audio embeddings of a model. Plain C++ (no torch)
// so that the UI can include it.
//
// On disk, a folder:
//   index.json  format "soundspot-index/1", dim, entries, clip count, model
//               (dir, arch, width, embed_dim, weights_hash), sources, and the
//               byte size + content hash of every other file
//   image.f32   entries x dim float32, little-endian, row-major, L2-normalised rows
//   audio.f32   the same for the audio embeddings (row i = entry i)
//   clips.json  {"clips": [{"id", "media", "labels": [...], "times": [s, ...]}]}:
//               entries are stored clip after clip, in this order
// The matrices are read in one go and checked against the recorded size and
// hash, so a truncated or damaged index is rejected naming the file.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::retrieval {

constexpr const char* kIndexFormat = "soundspot-index/1";
constexpr const char* kIndexFile = "index.json";
constexpr const char* kClipsFile = "clips.json";
constexpr const char* kImageFile = "image.f32";
constexpr const char* kAudioFile = "audio.f32";

enum class Modality { Image, Audio };
Modality parseModality(const std::string& text);  // "image" | "audio"; throws UsageError naming the value
std::string toString(Modality modality);
Modality otherModality(Modality modality);

struct IndexClip {
  std::string id;
  std::string media;  // as given by the source (absolute for built indexes)
  std::vector<std::string> labels;
  int64_t first = 0;  // its entries are first .. first + count - 1
  int64_t count = 0;
};

struct Index {
  nlohmann::json model = nlohmann::json::object();   // what built it (see IndexBuilder.h)
  nlohmann::json sources = nlohmann::json::array();  // what was indexed
  int64_t dim = 0;
  std::vector<IndexClip> clips;
  std::vector<double> times;       // per entry: seconds from the start of its clip's media
  std::vector<int32_t> entryClip;  // per entry: index into clips
  std::vector<float> image, audio; // size() x dim each, row-major, L2-normalised rows

  int64_t size() const { return static_cast<int64_t>(times.size()); }
  const std::vector<float>& embeddings(Modality modality) const { return modality == Modality::Image ? image : audio; }
  const IndexClip& clipOf(int64_t entry) const { return clips[static_cast<size_t>(entryClip[static_cast<size_t>(entry)])]; }
  // Appends a clip and its entries: times.size() rows of dim floats in each
  // matrix (dim must be set). Throws Error on a size mismatch.
  void addClip(IndexClip clip, const std::vector<double>& clipTimes, const float* imageRows, const float* audioRows);
};

// Where an unfinished build of the index folder `dir` keeps its state: the
// sibling folder DIR.partial (see IndexBuilder.h).
std::filesystem::path partialBuildDir(const std::filesystem::path& dir);

// True when dir holds an index.json (finished index; it may still be damaged).
bool isIndexFolder(const std::filesystem::path& dir);

// Throws soundspot::Error naming the file that is missing, truncated, damaged
// or inconsistent with index.json.
Index loadIndex(const std::filesystem::path& dir);

// Atomic: written to a temporary folder beside dir, then renamed into place
// (replacing an index already there). Refuses to replace a folder that is not
// empty and holds no index.json.
void saveIndex(const Index& index, const std::filesystem::path& dir);

}  // namespace soundspot::retrieval
