#pragma once
// Whole numbers read from JSON files are range-checked before use: json's own
// conversion of a float such as 1e30 (or of a huge unsigned) to an integer is
// undefined behaviour, and such files come from users and from disks.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace soundspot {

// v as an integer when it is a whole JSON number within [lo, hi].
inline std::optional<int64_t> wholeNumberIn(const nlohmann::json& v, int64_t lo, int64_t hi) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    // (json parses every non-negative number as unsigned: lo matters here too)
    if (hi < 0 || u > static_cast<uint64_t>(hi) || static_cast<int64_t>(u) < lo) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (!v.is_number_integer()) return std::nullopt;
  const int64_t i = v.get<int64_t>();
  if (i < lo || i > hi) return std::nullopt;
  return i;
}

}  // namespace soundspot
