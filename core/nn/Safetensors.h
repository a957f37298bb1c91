#pragma once
// Weights files in the safetensors layout (https://github.com/huggingface/safetensors):
// an 8-byte little-endian header length, a JSON header mapping each tensor
// name to {dtype, shape, data_offsets} plus a "__metadata__" map of strings,
// then the raw little-endian data. Loading runs no code, and the files open
// in Python (safetensors.torch.load_file).
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace soundspot::nn {

// How floating-point tensors are stored; integer tensors keep their type.
enum class StoredFloat { F32, F16 };

struct SafetensorsContent {
  std::map<std::string, torch::Tensor> tensors;  // CPU, in the stored dtype
  std::map<std::string, std::string> metadata;
};

// Serialises to bytes (F32, F16, BF16, I64, I32, U8 supported).
std::string encodeSafetensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                              const std::map<std::string, std::string>& metadata, StoredFloat storedFloat);
// Atomic write of encodeSafetensors' output.
void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata, StoredFloat storedFloat);
// Parses and validates the whole file; throws Error naming the file when it is
// truncated, its header is not valid, or an entry's size/offsets disagree.
SafetensorsContent readSafetensors(const std::filesystem::path& path);
SafetensorsContent decodeSafetensors(const std::string& bytes, const std::string& name);

}  // namespace soundspot::nn
