#pragma once
// NumPy .npy files (format 1.0, little-endian float32, C order), so that maps,
// spectrograms and embeddings can be checked by anyone with numpy.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace soundspot {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

// Atomic write (temp file + rename).
void writeNpy(const std::filesystem::path& path, const std::vector<int64_t>& shape, const float* data);
NpyArray readNpy(const std::filesystem::path& path);

}  // namespace soundspot
