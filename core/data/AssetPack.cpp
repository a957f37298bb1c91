#include "core/data/AssetPack.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonNumbers.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>

#ifdef SOUNDSPOT_HAS_ZSTD
#include <zstd.h>
#endif

namespace soundspot::data {
namespace {

constexpr char kMagic[8] = {'S', 'S', 'P', 'A', 'C', 'K', '1', '\n'};

const char* splitName(InstanceSplit s) { return s == InstanceSplit::Unseen ? "unseen" : "train"; }

InstanceSplit parseSplit(const std::string& s, const std::string& file) {
  if (s == "train") return InstanceSplit::Train;
  if (s == "unseen") return InstanceSplit::Unseen;
  throw Error(file, "unknown instance split '" + s + "'");
}

void appendU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

nlohmann::json blobRef(std::string& payload, const void* data, size_t bytes) {
  nlohmann::json ref = {{"offset", payload.size()}, {"bytes", bytes}};
  payload.append(static_cast<const char*>(data), bytes);
  return ref;
}

// Recordings are stored as wrapping first differences with the low bytes of
// all samples before the high bytes: zstd then shrinks them by a third more
// than raw PCM (42 -> 29 MB for the scene sources), which keeps the pack
// within what the GPU machine may receive.
std::string encodeDelta16(const std::vector<int16_t>& pcm) {
  const size_t n = pcm.size();
  std::string out(n * 2, '\0');
  uint16_t previous = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t v = uint16_t(pcm[i]), d = uint16_t(v - previous);
    previous = v;
    out[i] = char(d & 0xff);
    out[n + i] = char(d >> 8);
  }
  return out;
}

void decodeDelta16(const char* in, size_t n, std::vector<int16_t>& pcm) {
  pcm.resize(n);
  uint16_t previous = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint16_t d = uint16_t(uint8_t(in[i]) | (uint16_t(uint8_t(in[n + i])) << 8));
    previous = uint16_t(previous + d);
    pcm[i] = int16_t(previous);
  }
}

}  // namespace

void writeAssetPack(const AssetPack& pack, const std::filesystem::path& path) {
  std::string payload;
  nlohmann::json header;
  header["format"] = "soundspot-asset-pack/1";
  header["sampleRate"] = kPackSampleRate;
  header["classes"] = pack.classes;
  header["images"] = nlohmann::json::array();
  for (const auto& im : pack.images)
    header["images"].push_back({{"id", im.id}, {"class", im.classId}, {"drawing", im.drawing},
                                {"split", splitName(im.split)}, {"width", im.width}, {"height", im.height},
                                {"data", blobRef(payload, im.rgba.data(), im.rgba.size())}});
  header["sounds"] = nlohmann::json::array();
  header["soundEncoding"] = "delta16-bytesplit";
  for (const auto& s : pack.sounds) {
    const std::string encoded = encodeDelta16(s.pcm);
    header["sounds"].push_back({{"id", s.id}, {"class", s.classId}, {"split", splitName(s.split)},
                                {"heldOutFrom", s.heldOutFrom},
                                {"data", blobRef(payload, encoded.data(), encoded.size())}});
  }
  header["backgrounds"] = nlohmann::json::array();
  for (const auto& b : pack.backgrounds)
    header["backgrounds"].push_back({{"id", b.id}, {"test", b.test}, {"width", b.width}, {"height", b.height},
                                     {"data", blobRef(payload, b.rgb.data(), b.rgb.size())}});
  std::string stored = payload;
  header["compression"] = "none";
#ifdef SOUNDSPOT_HAS_ZSTD
  stored.resize(ZSTD_compressBound(payload.size()));
  size_t n = ZSTD_compress(stored.data(), stored.size(), payload.data(), payload.size(), 9);
  if (ZSTD_isError(n)) throw Error(path.string(), std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  stored.resize(n);
  header["compression"] = "zstd";
#endif
  const std::string headerText = header.dump();
  std::string file(kMagic, 8);
  appendU64(file, headerText.size());
  file += headerText;
  appendU64(file, payload.size());
  file += stored;
  writeFileAtomically(path, file);
}

AssetPack readAssetPack(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::string file = readFile(path);
  auto u64At = [&](size_t pos) {
    if (pos + 8 > file.size()) throw Error(name, "truncated asset pack");
    uint64_t v;
    std::memcpy(&v, file.data() + pos, 8);
    return v;
  };
  if (file.size() < 16 || std::memcmp(file.data(), kMagic, 8) != 0) throw Error(name, "not a SoundSpot asset pack");
  const uint64_t headerBytes = u64At(8);
  if (file.size() < 24 || headerBytes > file.size() - 24) throw Error(name, "truncated asset pack");  // (no 16 + n + 8: it can wrap)
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.substr(16, headerBytes));
  } catch (const std::exception& e) {
    throw Error(name, std::string("damaged asset pack header: ") + e.what());
  }
  if (!header.is_object()) throw Error(name, "damaged asset pack header: not a JSON object");
  const uint64_t rawBytes = u64At(16 + headerBytes);
  const size_t storedAt = 16 + headerBytes + 8;
  std::string payload;
  if (header.contains("compression") && !header["compression"].is_string())  // value() would throw json's type_error
    throw Error(name, "damaged asset pack header: 'compression' is not a string");
  const std::string compression = header.value("compression", "none");
  if (compression == "none") {
    payload = file.substr(storedAt);
  } else if (compression == "zstd") {
#ifdef SOUNDSPOT_HAS_ZSTD
    // The recorded length is allocated up front: it must be one the stored
    // bytes can hold (a zstd block of at most 128 KiB costs at least 3 bytes),
    // so that a damaged length cannot ask for gigabytes.
    const uint64_t storedBytes = file.size() - storedAt;
    if (rawBytes > (storedBytes / 3 + 1) * ZSTD_BLOCKSIZE_MAX)
      throw Error(name, "damaged asset pack: a payload of " + std::to_string(rawBytes) + " bytes cannot come from " +
                            std::to_string(storedBytes) + " compressed bytes");
    payload.resize(rawBytes);
    size_t n = ZSTD_decompress(payload.data(), payload.size(), file.data() + storedAt, file.size() - storedAt);
    if (ZSTD_isError(n)) throw Error(name, std::string("damaged asset pack payload: ") + ZSTD_getErrorName(n));
    payload.resize(n);
#else
    throw Error(name, "asset pack is zstd-compressed but this build has no zstd");
#endif
  } else {
    throw Error(name, "unknown compression '" + compression + "'");
  }
  if (payload.size() != rawBytes) throw Error(name, "truncated asset pack payload");

  auto integer = [&](const nlohmann::json& j, const char* key, int64_t lo, int64_t hi) {
    const auto v = wholeNumberIn(j.at(key), lo, hi);
    if (!v) throw Error(name, std::string("asset pack field '") + key + "' is not a whole number from " +
                                  std::to_string(lo) + " to " + std::to_string(hi));
    return *v;
  };
  constexpr int64_t kMaxU63 = std::numeric_limits<int64_t>::max();
  constexpr int kMaxSide = 1 << 16;
  // An entry's bytes: checked against the payload before anything is allocated
  // (offset + bytes could wrap, and a huge count would be allocated first).
  auto blob = [&](const nlohmann::json& ref, uint64_t expected) {
    const uint64_t offset = uint64_t(integer(ref, "offset", 0, kMaxU63)), bytes = uint64_t(integer(ref, "bytes", 0, kMaxU63));
    if (bytes != expected || offset > payload.size() || bytes > payload.size() - offset)
      throw Error(name, "asset pack entry out of range");
    return std::string_view(payload).substr(offset, bytes);
  };
  auto copyBlob = [&](const nlohmann::json& ref, auto& out, uint64_t bytes) {
    const std::string_view data = blob(ref, bytes);
    out.resize(data.size() / sizeof(out[0]));
    if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
  };
  AssetPack pack;
  try {
    if (header.at("format") != "soundspot-asset-pack/1") throw Error(name, "unsupported asset pack format");
    if (header.at("sampleRate") != kPackSampleRate) throw Error(name, "unexpected sample rate");
    pack.classes = header.at("classes").get<std::vector<std::string>>();
    const int classCount = static_cast<int>(pack.classes.size());
    auto classId = [&](const nlohmann::json& j) {
      const int64_t c = integer(j, "class", std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
      if (c < 0 || c >= classCount) throw Error(name, "class id out of range");
      return int(c);
    };
    for (const auto& j : header.at("images")) {
      PackImage im;
      im.id = j.at("id");
      im.classId = classId(j);
      im.drawing = j.at("drawing");
      im.split = parseSplit(j.at("split"), name);
      im.width = int(integer(j, "width", 0, kMaxSide));
      im.height = int(integer(j, "height", 0, kMaxSide));
      copyBlob(j.at("data"), im.rgba, uint64_t(im.width) * uint64_t(im.height) * 4);
      pack.images.push_back(std::move(im));
    }
    // Packs written before the delta encoding hold raw little-endian PCM.
    const std::string soundEncoding = header.value("soundEncoding", "pcm16");
    if (soundEncoding != "pcm16" && soundEncoding != "delta16-bytesplit")
      throw Error(name, "unknown sound encoding '" + soundEncoding + "'");
    for (const auto& j : header.at("sounds")) {
      PackSound s;
      s.id = j.at("id");
      s.classId = classId(j);
      s.split = parseSplit(j.at("split"), name);
      s.heldOutFrom = integer(j, "heldOutFrom", 0, kMaxU63);
      const uint64_t bytes = uint64_t(integer(j.at("data"), "bytes", 0, kMaxU63));
      if (bytes % 2) throw Error(name, "asset pack recording has an odd byte count");
      if (soundEncoding == "pcm16") {
        copyBlob(j.at("data"), s.pcm, bytes);
      } else {
        decodeDelta16(blob(j.at("data"), bytes).data(), bytes / 2, s.pcm);
      }
      if (s.heldOutFrom < 0 || s.heldOutFrom > int64_t(s.pcm.size())) throw Error(name, "held-out range out of bounds");
      pack.sounds.push_back(std::move(s));
    }
    for (const auto& j : header.at("backgrounds")) {
      PackBackground b;
      b.id = j.at("id");
      b.test = j.at("test");
      b.width = int(integer(j, "width", 0, kMaxSide));
      b.height = int(integer(j, "height", 0, kMaxSide));
      copyBlob(j.at("data"), b.rgb, uint64_t(b.width) * uint64_t(b.height) * 3);
      pack.backgrounds.push_back(std::move(b));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(name, std::string("damaged asset pack header: ") + e.what());
  }
  return pack;
}

std::vector<ClassInstances> instancesPerClass(const AssetPack& pack) {
  std::vector<ClassInstances> counts(pack.classes.size());
  for (const auto& im : pack.images) ++counts.at(size_t(im.classId)).images;
  for (const auto& s : pack.sounds) ++counts.at(size_t(s.classId)).sounds;
  return counts;
}

int countDiverseClasses(const AssetPack& pack, int minImages, int minSounds) {
  int n = 0;
  for (const auto& c : instancesPerClass(pack)) n += c.images >= minImages && c.sounds >= minSounds;
  return n;
}

}  // namespace soundspot::data
