#pragma once
// AVOL-Net's region embeddings: the 14x14 grid of vectors its vision tower
// gives a frame (one per region, before max-pooling), L2-normalised per
// region. They live in the space of the audio embeddings of an index built
// with the same AVOL-Net, so one region can query the index's sounds ("what
// does this object sound like?"). Plain C++ header (torch stays in the .cpp).
#include "core/media/RgbFrame.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace soundspot::retrieval {

constexpr int kRegionGrid = 14;

// The grid cell (row, column) holding normalised frame coordinates (u, v)
// in [0, 1] (u across, v down); clamped to the grid.
std::pair<int, int> regionCell(double u, double v);

class RegionEmbedder {
 public:
  // Loads an AVOL-Net model folder on device ("cpu" | "cuda"); throws Error
  // naming the folder when it is missing, damaged or not an AVOL-Net.
  RegionEmbedder(const std::filesystem::path& modelDir, const std::string& device = "cpu");
  ~RegionEmbedder();
  RegionEmbedder(const RegionEmbedder&) = delete;
  RegionEmbedder& operator=(const RegionEmbedder&) = delete;

  // kRegionGrid * kRegionGrid rows (row-major over the grid, row 0 at the
  // top) of dim floats each, every row L2-normalised. Frames of any size.
  std::vector<float> regions(const media::RgbFrame& frame, int64_t* dim = nullptr);
  // The embedding of one cell (row, col in 0 .. kRegionGrid-1).
  std::vector<float> region(const media::RgbFrame& frame, int row, int col);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soundspot::retrieval
