#include "core/retrieval/Index.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonNumbers.h"
#include "core/common/Hash.h"
#include "core/retrieval/SyncedWrite.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the index matrices are little-endian float32: add byte swapping for this host"
#endif

namespace soundspot::retrieval {

namespace fs = std::filesystem;
using nlohmann::json;

Modality parseModality(const std::string& text) {
  if (text == "image") return Modality::Image;
  if (text == "audio") return Modality::Audio;
  throw UsageError(text, "unknown modality (expected image or audio)");
}

std::string toString(Modality modality) { return modality == Modality::Image ? "image" : "audio"; }

Modality otherModality(Modality modality) { return modality == Modality::Image ? Modality::Audio : Modality::Image; }

void Index::addClip(IndexClip clip, const std::vector<double>& clipTimes, const float* imageRows, const float* audioRows) {
  if (dim <= 0) throw Error(clip.id, "index dimension not set before adding entries");
  const size_t n = clipTimes.size(), d = static_cast<size_t>(dim);
  clip.first = size();
  clip.count = static_cast<int64_t>(n);
  const auto clipIndex = static_cast<int32_t>(clips.size());
  clips.push_back(std::move(clip));
  times.insert(times.end(), clipTimes.begin(), clipTimes.end());
  entryClip.insert(entryClip.end(), n, clipIndex);
  if (n > 0) {
    image.insert(image.end(), imageRows, imageRows + n * d);
    audio.insert(audio.end(), audioRows, audioRows + n * d);
  }
}

fs::path partialBuildDir(const fs::path& dir) {
  fs::path d = dir.lexically_normal();
  if (d.filename().empty()) d = d.parent_path();
  d += ".partial";
  return d;
}

bool isIndexFolder(const fs::path& dir) { return fs::is_regular_file(dir / kIndexFile); }

namespace {

json parseJsonFile(const fs::path& path) {
  if (!fs::exists(path)) throw Error(path.string(), "missing");
  try {
    return json::parse(readFile(path));
  } catch (const json::exception& e) {
    throw Error(path.string(), std::string("not valid JSON (") + e.what() + ")");
  }
}

void checkFileSize(const fs::path& path, uint64_t expectedBytes) {
  std::error_code ec;
  const auto actual = fs::file_size(path, ec);
  if (ec) throw Error(path.string(), "missing or unreadable: " + ec.message());
  if (actual != expectedBytes)
    throw Error(path.string(), (actual < expectedBytes ? "truncated: " : "wrong size: ") + std::to_string(actual) +
                                   " bytes where index.json records " + std::to_string(expectedBytes));
}

// One fread of the whole matrix after checking the size recorded in index.json.
std::vector<float> readMatrix(const fs::path& path, uint64_t expectedBytes, const std::string& expectedHash) {
  checkFileSize(path, expectedBytes);
  std::vector<float> data(expectedBytes / sizeof(float));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(path.string(), std::string("cannot open: ") + std::strerror(errno));
  const size_t got = expectedBytes ? std::fread(data.data(), 1, expectedBytes, f) : 0;
  std::fclose(f);
  if (got != expectedBytes) throw Error(path.string(), "truncated while reading");
  if (hashHex(hashBytes(data.data(), expectedBytes)) != expectedHash)
    throw Error(path.string(), "damaged: content does not match the hash recorded in index.json");
  return data;
}

struct FileRecord {
  uint64_t bytes = 0;
  std::string hash;
};

FileRecord fileRecord(const json& files, const char* name, const fs::path& indexPath) {
  const auto f = files.find(name);  // end() when files is not an object
  if (f == files.end() || !f->is_object() || !f->contains("bytes") || !f->at("bytes").is_number_unsigned() ||
      !f->contains("hash") || !f->at("hash").is_string())
    throw Error(indexPath.string(), std::string("files.") + name + " missing or malformed (needs bytes and hash)");
  return {f->at("bytes").get<uint64_t>(), f->at("hash").get<std::string>()};
}

// A whole number from index.json (JsonNumbers.h says why it is checked).
int64_t wholeNumber(const json& head, const char* key, const fs::path& indexPath) {
  const auto v = wholeNumberIn(head.at(key), INT64_MIN, INT64_MAX);
  if (!v) throw Error(indexPath.string(), std::string(key) + " must be a whole number");
  return *v;
}


}  // namespace

Index loadIndex(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw Error(dir.string(), "no such index folder");
  const fs::path indexPath = dir / kIndexFile, clipsPath = dir / kClipsFile;
  if (!fs::exists(indexPath)) {
    const bool partial = fs::exists(partialBuildDir(dir));
    throw Error(indexPath.string(), partial ? "missing: the index is unfinished (run `soundspot-cli index` again to resume)"
                                            : "missing: not a SoundSpot index folder");
  }
  const json head = parseJsonFile(indexPath);
  Index index;
  int64_t entries = 0, clipCount = 0;
  FileRecord imageRec, audioRec, clipsRec;
  try {
    if (head.value("format", "") != kIndexFormat)
      throw Error(indexPath.string(), "unknown index format '" + head.value("format", "") + "' (expected " + kIndexFormat + ")");
    index.dim = wholeNumber(head, "dim", indexPath);
    entries = wholeNumber(head, "entries", indexPath);
    clipCount = wholeNumber(head, "clips", indexPath);
    index.model = head.value("model", json::object());
    index.sources = head.value("sources", json::array());
    const json& files = head.at("files");
    imageRec = fileRecord(files, kImageFile, indexPath);
    audioRec = fileRecord(files, kAudioFile, indexPath);
    clipsRec = fileRecord(files, kClipsFile, indexPath);
  } catch (const json::exception& e) {
    throw Error(indexPath.string(), std::string("malformed (") + e.what() + ")");
  }
  if (index.dim <= 0 || entries < 0 || clipCount < 0)
    throw Error(indexPath.string(), "dim, entries and clips must be positive/non-negative");
  uint64_t matrixBytes = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(entries), static_cast<uint64_t>(index.dim) * sizeof(float), &matrixBytes) ||
      imageRec.bytes != matrixBytes || audioRec.bytes != matrixBytes)
    throw Error(indexPath.string(), "recorded matrix sizes do not match entries x dim");
  // The matrices on disk bound `entries` (reserved below): check their sizes first.
  checkFileSize(dir / kImageFile, imageRec.bytes);
  checkFileSize(dir / kAudioFile, audioRec.bytes);

  // clips.json: checked against its recorded size and hash before parsing.
  std::error_code ec;
  const auto clipsSize = fs::file_size(clipsPath, ec);
  if (ec) throw Error(clipsPath.string(), "missing or unreadable: " + ec.message());
  if (clipsSize != clipsRec.bytes)
    throw Error(clipsPath.string(), (clipsSize < clipsRec.bytes ? "truncated: " : "wrong size: ") + std::to_string(clipsSize) +
                                        " bytes where index.json records " + std::to_string(clipsRec.bytes));
  const std::string clipsText = readFile(clipsPath);
  if (hashHex(hashBytes(clipsText.data(), clipsText.size())) != clipsRec.hash)
    throw Error(clipsPath.string(), "damaged: content does not match the hash recorded in index.json");
  json clipsJson;
  try {
    clipsJson = json::parse(clipsText);
  } catch (const json::exception& e) {
    throw Error(clipsPath.string(), std::string("not valid JSON (") + e.what() + ")");
  }
  index.times.reserve(static_cast<size_t>(entries));
  index.entryClip.reserve(static_cast<size_t>(entries));
  try {
    const json& list = clipsJson.at("clips");
    if (!list.is_array() || static_cast<int64_t>(list.size()) != clipCount)
      throw Error(clipsPath.string(), "holds " + std::to_string(list.size()) + " clips where index.json records " +
                                          std::to_string(clipCount));
    index.clips.reserve(list.size());
    for (const json& c : list) {
      IndexClip clip;
      clip.id = c.at("id").get<std::string>();
      clip.media = c.value("media", "");
      if (c.contains("labels")) clip.labels = c.at("labels").get<std::vector<std::string>>();
      clip.first = index.size();
      const json& times = c.at("times");
      if (!times.is_array()) throw Error(clipsPath.string(), "clip '" + clip.id + "': times is not a list");
      const auto clipIndex = static_cast<int32_t>(index.clips.size());
      for (const json& t : times) {
        const double v = t.get<double>();
        if (!std::isfinite(v)) throw Error(clipsPath.string(), "clip '" + clip.id + "': a time is not a number");
        index.times.push_back(v);
        index.entryClip.push_back(clipIndex);
      }
      clip.count = index.size() - clip.first;
      index.clips.push_back(std::move(clip));
    }
  } catch (const json::exception& e) {
    throw Error(clipsPath.string(), std::string("malformed (") + e.what() + ")");
  }
  if (index.size() != entries)
    throw Error(clipsPath.string(), "lists " + std::to_string(index.size()) + " entries where index.json records " +
                                        std::to_string(entries));
  index.image = readMatrix(dir / kImageFile, imageRec.bytes, imageRec.hash);
  index.audio = readMatrix(dir / kAudioFile, audioRec.bytes, audioRec.hash);
  return index;
}

void saveIndex(const Index& index, const fs::path& dirIn) {
  fs::path dir = dirIn.lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  const size_t n = static_cast<size_t>(index.size()), d = static_cast<size_t>(index.dim);
  if (index.dim <= 0) throw Error(dir.string(), "cannot save an index without a dimension");
  if (index.image.size() != n * d || index.audio.size() != n * d || index.entryClip.size() != n)
    throw Error(dir.string(), "cannot save an inconsistent index (matrix sizes differ from entries x dim)");
  if (fs::exists(dir) && !isIndexFolder(dir) && !(fs::is_directory(dir) && fs::is_empty(dir)))
    throw Error(dir.string(), "exists and is not a SoundSpot index: refusing to replace it");

  json clipList = json::array();
  for (const IndexClip& c : index.clips) {
    json times = json::array();
    for (int64_t e = c.first; e < c.first + c.count; ++e) times.push_back(index.times[static_cast<size_t>(e)]);
    clipList.push_back({{"id", c.id}, {"media", c.media}, {"labels", c.labels}, {"times", std::move(times)}});
  }
  const std::string clipsText = json{{"clips", std::move(clipList)}}.dump() + "\n";
  const size_t matrixBytes = n * d * sizeof(float);
  json head = {
      {"format", kIndexFormat},
      {"dim", index.dim},
      {"entries", index.size()},
      {"clips", index.clips.size()},
      {"dtype", "float32"},
      {"byte_order", "little"},
      {"normalised", "L2 rows"},
      {"model", index.model},
      {"sources", index.sources},
      {"created_by", std::string("soundspot ") + SOUNDSPOT_VERSION},
      {"files",
       {{kImageFile, {{"bytes", matrixBytes}, {"hash", hashHex(hashBytes(index.image.data(), matrixBytes))}}},
        {kAudioFile, {{"bytes", matrixBytes}, {"hash", hashHex(hashBytes(index.audio.data(), matrixBytes))}}},
        {kClipsFile, {{"bytes", clipsText.size()}, {"hash", hashHex(hashBytes(clipsText.data(), clipsText.size()))}}}}}};

  writeFolderAtomically(dir, "index folder", [&](const fs::path& tmp) {
    writeBytesSynced(tmp / kImageFile, index.image.data(), matrixBytes, false);
    writeBytesSynced(tmp / kAudioFile, index.audio.data(), matrixBytes, false);
    writeFileAtomically(tmp / kClipsFile, clipsText);
    writeFileAtomically(tmp / kIndexFile, head.dump(2) + "\n");  // last: marks the folder complete
  });
}

}  // namespace soundspot::retrieval
