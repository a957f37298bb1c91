#pragma once
// A model folder turned into the embeddings an index holds: image and audio
// embeddings of eval::makeEvalNetwork (AVE-Net: its embeddings; AVOL-Net:
// max-pooled region embeddings and the audio embedding; L3-Net: pooled
// features), L2-normalised. Plain C++ header (torch stays in Encoder.cpp).
#include "core/media/RgbFrame.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace soundspot::retrieval {

class Encoder {
 public:
  // Loads the model folder on device ("cpu" | "cuda"); throws Error naming
  // the file that is missing or damaged.
  Encoder(const std::filesystem::path& modelDir, const std::string& device = "cpu");
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  std::string arch() const;  // "avol" | "ave" | "l3"
  // What index.json records under "model": dir (absolute), arch, width,
  // embed_dim, dim, card (the model card without its file list) and
  // weights_hash (content of card.json and the weights files).
  const nlohmann::json& summary() const;
  // Embedding size (one inference on zero inputs the first time).
  int64_t dim();

  // Frames of any size (packed RGB24; nn::imageTensor resizes) -> B x dim.
  std::vector<float> encodeImages(const std::vector<const media::RgbFrame*>& frames);
  // Log-spectrograms (audio::logSpectrogram, 257 x 200 each) -> B x dim.
  std::vector<float> encodeSpectrograms(const std::vector<const float*>& spectrograms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The hash that identifies a model folder's content (card.json and every
// *.safetensors, and an ensemble's member folders'), as recorded in Encoder::summary()["weights_hash"].
std::string modelContentHash(const std::filesystem::path& modelDir);

}  // namespace soundspot::retrieval
