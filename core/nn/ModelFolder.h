#pragma once
// Layout of a model folder: card.json (the model card) and one safetensors
// file per sub-network. The vision and audio conv towers go to
// vision.safetensors / audio.safetensors, everything after them (embedding
// layers, calibration, classifier) to head.safetensors, so each stays under
// 16 MiB at the paper's width in F16. loadModel/saveModel are declared in
// Model.h.
#include <cstdint>
#include <string>
#include <vector>

namespace soundspot::nn {

constexpr const char* kModelFormat = "soundspot-model/1";
constexpr const char* kCardFile = "card.json";
constexpr uint64_t kMaxWeightsFileBytes = 16ull << 20;

// "vision" | "audio" | "head" for a parameter or buffer name of a network.
std::string weightsPart(const std::string& tensorName);
const std::vector<std::string>& weightsParts();
std::string weightsFileName(const std::string& part);  // part + ".safetensors"

}  // namespace soundspot::nn
