#include "core/data/ClipDiskCache.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonNumbers.h"
#include "core/common/Hash.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

namespace soundspot::data {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kMagic[8] = {'S', 'S', 'C', 'L', 'I', 'P', '0', '1'};
constexpr size_t kFrameBytes = static_cast<size_t>(kCachedFrameSize) * kCachedFrameSize * 3;
// Bounds checked before allocating, so a damaged header cannot ask for memory.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;
constexpr uint64_t kMaxFrames = 100000;
constexpr uint64_t kMaxAudioSamples = 48000ull * 3600 * 6;  // six hours

struct MediaStamp {
  uint64_t size = 0;
  int64_t mtime = 0;
};

std::optional<MediaStamp> stampOf(const fs::path& media) {
  std::error_code ec;
  MediaStamp s;
  s.size = fs::file_size(media, ec);
  if (ec) return std::nullopt;
  s.mtime = static_cast<int64_t>(fs::last_write_time(media, ec).time_since_epoch().count());
  if (ec) return std::nullopt;
  return s;
}

// The media path as entries record it (and as their names are derived from).
std::string mediaKey(const Clip& clip) { return fs::absolute(clip.media).lexically_normal().string(); }

// The payload in file order: frame times, frames, audio.
std::vector<std::pair<const void*, size_t>> payloadParts(const CachedClip& c) {
  std::vector<std::pair<const void*, size_t>> parts{{c.frameTimes.data(), c.frameTimes.size() * sizeof(double)}};
  for (const auto& f : c.frames) parts.emplace_back(f.data(), f.size());
  parts.emplace_back(c.audio.data(), c.audio.size() * sizeof(float));
  return parts;
}

}  // namespace

ClipDiskCache::ClipDiskCache(fs::path dir) : dir_(std::move(dir)) {}

fs::path ClipDiskCache::defaultDir() {
  if (const char* v = std::getenv("SOUNDSPOT_CACHE_DIR"); v && *v) return fs::path(v);
  if (const char* v = std::getenv("XDG_CACHE_HOME"); v && *v) return fs::path(v) / "soundspot" / "clips";
  if (const char* v = std::getenv("HOME"); v && *v) return fs::path(v) / ".cache" / "soundspot" / "clips";
  return fs::temp_directory_path() / "soundspot-clips";
}

fs::path ClipDiskCache::entryPath(const Clip& clip, int maxFrames) const {
  const std::string key = mediaKey(clip) + "#" + std::to_string(maxFrames);
  return dir_ / (hashHex(hashBytes(key.data(), key.size())) + ".clip");
}

std::optional<CachedClip> ClipDiskCache::load(const Clip& clip, int maxFrames) const {
  const fs::path path = entryPath(clip, maxFrames);
  const auto stamp = stampOf(clip.media);
  if (!stamp) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  char magic[8];
  uint64_t headerBytes = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0 ||
      !in.read(reinterpret_cast<char*>(&headerBytes), sizeof headerBytes) || headerBytes > kMaxHeaderBytes)
    return std::nullopt;
  std::string headerText(headerBytes, '\0');
  if (!in.read(headerText.data(), static_cast<std::streamsize>(headerBytes))) return std::nullopt;
  try {
    const json h = json::parse(headerText);
    // A damaged header's numbers are range-checked (JsonNumbers.h says why).
    const auto whole = [&](const char* key) { return wholeNumberIn(h.at(key), INT64_MIN, INT64_MAX); };
    const auto size = whole("size"), mtime = whole("mtime"), maxFramesStored = whole("max_frames"),
               frameSize = whole("frame_size"), framesStored = whole("frames"), samplesStored = whole("audio_samples");
    if (h.at("media").get<std::string>() != mediaKey(clip) || !size || uint64_t(*size) != stamp->size ||
        mtime != stamp->mtime || maxFramesStored != maxFrames || frameSize != kCachedFrameSize)
      return std::nullopt;  // the media changed: decode again
    if (!framesStored || !samplesStored || *framesStored <= 0 || *samplesStored < 0) return std::nullopt;
    const uint64_t frames = uint64_t(*framesStored), samples = uint64_t(*samplesStored);
    if (frames > kMaxFrames || samples > kMaxAudioSamples) return std::nullopt;
    CachedClip out;
    out.id = clip.id;
    out.duration = h.at("duration").get<double>();
    out.frameTimes.resize(frames);
    out.frames.assign(frames, std::vector<uint8_t>(kFrameBytes));
    out.audio.resize(samples);
    uint64_t hash = 0;
    auto readPart = [&](void* data, size_t bytes) {
      if (!in.read(static_cast<char*>(data), static_cast<std::streamsize>(bytes))) return false;
      hash = hashBytes(data, bytes, hash);
      return true;
    };
    if (!readPart(out.frameTimes.data(), frames * sizeof(double))) return std::nullopt;
    for (auto& f : out.frames)
      if (!readPart(f.data(), kFrameBytes)) return std::nullopt;
    if (!readPart(out.audio.data(), samples * sizeof(float))) return std::nullopt;
    if (hashHex(hash) != h.at("payload_hash").get<std::string>()) {
      spdlog::warn("{}: damaged clip-cache entry for {}; decoding again", path.string(), clip.media.string());
      return std::nullopt;
    }
    out.ok = true;
    return out;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

void ClipDiskCache::store(const Clip& clip, int maxFrames, const CachedClip& decoded) const {
  const auto stamp = stampOf(clip.media);
  if (!stamp || !decoded.ok) return;
  // Hashed first, then copied once into the file's bytes (a long clip's audio is large).
  const auto parts = payloadParts(decoded);
  uint64_t hash = 0;
  size_t payloadBytes = 0;
  for (const auto& [data, size] : parts) {
    hash = hashBytes(data, size, hash);
    payloadBytes += size;
  }
  const json h = {{"media", mediaKey(clip)},
                  {"size", stamp->size},
                  {"mtime", stamp->mtime},
                  {"max_frames", maxFrames},
                  {"frame_size", kCachedFrameSize},
                  {"duration", decoded.duration},
                  {"frames", decoded.frames.size()},
                  {"audio_samples", decoded.audio.size()},
                  {"payload_hash", hashHex(hash)}};
  const std::string header = h.dump();
  const uint64_t headerBytes = header.size();
  std::string bytes(kMagic, 8);
  bytes.reserve(8 + sizeof headerBytes + header.size() + payloadBytes);
  bytes.append(reinterpret_cast<const char*>(&headerBytes), sizeof headerBytes);
  bytes += header;
  for (const auto& [data, size] : parts) bytes.append(static_cast<const char*>(data), size);
  try {
    writeFileAtomically(entryPath(clip, maxFrames), bytes);
  } catch (const Error& e) {
    // The cache only saves time: say so once and train on.
    if (!warned_.exchange(true)) spdlog::warn("clip cache not written ({}); training goes on without it", e.what());
  }
}

}  // namespace soundspot::data
