#include "core/nn/Safetensors.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace soundspot::nn {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian; this code copies raw bytes");

namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // the reference implementation's limit

struct DtypeName {
  const char* name;
  torch::ScalarType type;
};
constexpr DtypeName kDtypes[] = {{"F32", torch::kFloat},  {"F16", torch::kHalf},  {"BF16", torch::kBFloat16},
                                 {"I64", torch::kLong},   {"I32", torch::kInt},   {"U8", torch::kByte}};

std::string dtypeName(torch::ScalarType type) {
  for (const auto& d : kDtypes)
    if (d.type == type) return d.name;
  throw Error("safetensors", std::string("unsupported tensor type ") + c10::toString(type));
}

bool dtypeFromName(const std::string& name, torch::ScalarType& type) {
  for (const auto& d : kDtypes)
    if (name == d.name) {
      type = d.type;
      return true;
    }
  return false;
}

}  // namespace

std::string encodeSafetensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata, StoredFloat storedFloat) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> stored;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    if (t.is_floating_point()) t = t.to(storedFloat == StoredFloat::F16 ? torch::kHalf : torch::kFloat);
    const uint64_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtypeName(t.scalar_type())}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    stored.push_back(t);
  }
  std::string json = header.dump();
  // Pad the header with spaces so the data starts 8-byte aligned, as the
  // reference writer does.
  json.append((8 - json.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  const uint64_t headerSize = json.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((headerSize >> (8 * i)) & 0xff);
  out += json;
  out.reserve(out.size() + offset);
  for (const auto& t : stored) out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata, StoredFloat storedFloat) {
  writeFileAtomically(path, encodeSafetensors(tensors, metadata, storedFloat));
}

SafetensorsContent decodeSafetensors(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 8) throw Error(name, "truncated weights file (" + std::to_string(bytes.size()) + " bytes)");
  uint64_t headerSize = 0;
  for (int i = 0; i < 8; ++i) headerSize |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  if (headerSize > kMaxHeaderBytes || headerSize > bytes.size() - 8)
    throw Error(name, "not a safetensors file or truncated (header length " + std::to_string(headerSize) +
                          " for a file of " + std::to_string(bytes.size()) + " bytes)");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(headerSize));
  } catch (const std::exception& e) {
    throw Error(name, std::string("damaged weights file: the header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw Error(name, "damaged weights file: the header is not a JSON object");
  const uint64_t dataSize = bytes.size() - 8 - headerSize;
  const char* data = bytes.data() + 8 + headerSize;

  SafetensorsContent content;
  struct Range {
    uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto& [key, entry] : header.items()) {
    if (key == "__metadata__") {
      if (!entry.is_object()) throw Error(name, "damaged weights file: __metadata__ is not a map");
      for (const auto& [mk, mv] : entry.items()) {
        if (!mv.is_string()) throw Error(name, "damaged weights file: metadata '" + mk + "' is not a string");
        content.metadata[mk] = mv.get<std::string>();
      }
      continue;
    }
    const std::string what = "damaged weights file: tensor '" + key + "' ";
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets") ||
        !entry["dtype"].is_string() || !entry["shape"].is_array() || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2)
      throw Error(name, what + "has no valid dtype/shape/data_offsets");
    torch::ScalarType type;
    if (!dtypeFromName(entry["dtype"].get<std::string>(), type))
      throw Error(name, what + "has unsupported dtype " + entry["dtype"].get<std::string>());
    std::vector<int64_t> shape;
    uint64_t numel = 1;
    for (const auto& d : entry["shape"]) {
      if (!d.is_number_unsigned()) throw Error(name, what + "has an invalid shape");
      // A shape whose size overflows could otherwise match an empty range.
      if (d.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) || __builtin_mul_overflow(numel, d.get<uint64_t>(), &numel) ||
          numel > dataSize)
        throw Error(name, what + "has a shape larger than the file");
      shape.push_back(d.get<int64_t>());
    }
    const auto& off = entry["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned()) throw Error(name, what + "has invalid offsets");
    const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
    const uint64_t expected = numel * c10::elementSize(type);
    if (end < begin || end - begin != expected)
      throw Error(name, what + "holds " + std::to_string(end - begin) + " bytes but its shape needs " +
                            std::to_string(expected));
    if (end > dataSize)
      throw Error(name, "truncated weights file: tensor '" + key + "' ends at byte " + std::to_string(end) +
                            " of a data section of " + std::to_string(dataSize));
    ranges.push_back({begin, end, key});
    content.tensors[key] = torch::from_blob(const_cast<char*>(data + begin), shape, torch::TensorOptions().dtype(type)).clone();
  }
  // The data section must be exactly covered by the tensors, without overlaps.
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  uint64_t cursor = 0;
  for (const auto& r : ranges) {
    if (r.begin != cursor) throw Error(name, "damaged weights file: tensor '" + r.name + "' overlaps or leaves a gap");
    cursor = r.end;
  }
  if (cursor != dataSize)
    throw Error(name, "damaged weights file: " + std::to_string(dataSize - cursor) + " trailing bytes after the tensors");
  return content;
}

SafetensorsContent readSafetensors(const std::filesystem::path& path) {
  return decodeSafetensors(readFile(path, 2ull << 30, "weights file"), path.string());
}

}  // namespace soundspot::nn
