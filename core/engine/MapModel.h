#pragma once
// AVOL-Net behind a torch-free interface, split the way the viewer needs it:
// visual regions of a frame (expensive, cached per frame), the embedding of a
// 1 s audio window (recomputed when the audio changes), and the 14x14 map
// from the two (cheap). Not thread-safe: used by one thread at a time.
#include "core/engine/HeatMap.h"
#include "core/nn/Device.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::engine {

struct VisualFeatures;  // opaque: 128 x 14 x 14 regions on the model's device
struct AudioFeatures;   // opaque: the 128-d audio embedding

class MapModel {
 public:
  // Loads an AVOL-Net model folder (throws Error when missing, damaged, or
  // not an AVOL-Net; and when CUDA is chosen without a GPU).
  MapModel(const std::filesystem::path& modelDir, nn::DeviceChoice device);
  ~MapModel();
  MapModel(const MapModel&) = delete;
  MapModel& operator=(const MapModel&) = delete;

  const std::string& device() const;  // "cpu" or "cuda"
  const std::filesystem::path& modelDir() const;

  std::shared_ptr<const VisualFeatures> visual(const uint8_t* rgb, int width, int height);
  std::shared_ptr<const AudioFeatures> audio(const float* window /*48000 samples*/);
  HeatMap map(const VisualFeatures& visual, const AudioFeatures& audio);

  // All three in one go (headless export).
  HeatMap localize(const uint8_t* rgb, int width, int height, const float* window);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soundspot::engine
