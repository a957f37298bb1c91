#include "core/common/Npy.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <cstring>
#include <numeric>
#include <regex>
#include <string>

namespace soundspot {

static int64_t product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
}

void writeNpy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const float* data) {
  std::string dims;
  for (size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad so that magic(6) + version(2) + len(2) + header is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(header.size());
  bytes.push_back(static_cast<char>(len & 0xff));
  bytes.push_back(static_cast<char>(len >> 8));
  bytes += header;
  const size_t n = static_cast<size_t>(product(shape)) * sizeof(float);
  bytes.append(reinterpret_cast<const char*>(data), n);
  writeFileAtomically(path, bytes);
}

NpyArray readNpy(const std::filesystem::path& path) {
  const std::string bytes = readFile(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw Error(path.string(), "not a .npy file");
  const size_t headerLen = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  if (bytes[6] != 1 || 10 + headerLen > bytes.size()) throw Error(path.string(), "unsupported or truncated .npy header");
  const std::string header = bytes.substr(10, headerLen);
  if (header.find("'<f4'") == std::string::npos) throw Error(path.string(), "only little-endian float32 .npy is supported");
  if (header.find("'fortran_order': False") == std::string::npos) throw Error(path.string(), "only C-order .npy is supported");
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'shape': \\(([0-9, ]*)\\)"))) throw Error(path.string(), "no shape in .npy header");
  NpyArray out;
  const std::string dims = m[1];
  std::regex num("[0-9]+");
  // The element count must fit the data that follows; a shape whose product
  // overflows (or a dimension past int64) cannot, and is rejected as such.
  const size_t available = (bytes.size() - 10 - headerLen) / sizeof(float);
  uint64_t n = 1;
  bool overflow = false;
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num); it != std::sregex_iterator(); ++it) {
    const std::string d = it->str();
    if (d.size() > 18) throw Error(path.string(), "implausible .npy shape dimension " + d);
    out.shape.push_back(std::stoll(d));
    overflow = overflow || __builtin_mul_overflow(n, static_cast<uint64_t>(out.shape.back()), &n);
  }
  if (overflow || n > available || bytes.size() != 10 + headerLen + n * sizeof(float))
    throw Error(path.string(), "data size does not match the shape (truncated?)");
  out.data.resize(n);
  if (n > 0) std::memcpy(out.data.data(), bytes.data() + 10 + headerLen, n * sizeof(float));  // (no memcpy from/to null)
  return out;
}

}  // namespace soundspot
