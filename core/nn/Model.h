#pragma once
// A network of one of the paper's architectures together with its model
// card: what the trainer builds, the model folder stores (ModelFolder.h) and
// the engine, evaluation and viewer load.
#include "core/nn/AveNet.h"
#include "core/nn/AvolNet.h"
#include "core/nn/L3Net.h"
#include "core/nn/NetConfig.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>

namespace soundspot::nn {

struct Model {
  NetConfig config;
  // Exactly one of these holds the network, according to config.arch.
  AvolNet avol{nullptr};
  AveNet ave{nullptr};
  L3Net l3{nullptr};
  nlohmann::json card = nlohmann::json::object();
  std::string device = "cpu";

  // The network as a generic module (parameters, train/eval, to(device)).
  std::shared_ptr<torch::nn::Module> module() const;
};

// A freshly initialised network (parameters drawn from torch's generator:
// call torch::manual_seed first for a reproducible one), on the CPU.
Model makeModel(const NetConfig& config);

// Typed access: an empty holder (test with `if (!net)`) for another arch.
AvolNet avolNet(const Model& model);
AveNet aveNet(const Model& model);
L3Net l3Net(const Model& model);

// A model folder (ModelFolder.cpp): card.json + vision/audio/head.safetensors.
// loadModel returns the network on `device` ("cpu" | "cuda") in eval mode and
// throws Error naming the file that is missing, damaged or mismatched.
Model loadModel(const std::filesystem::path& dir, const std::string& device);

enum class WeightsPrecision {
  Auto,  // F32 where the file stays under 16 MiB, else F16
  F32,   // exact (checkpoints)
  F16,
};
// Atomic: the folder is written beside `dir` and renamed into place; other
// files already in `dir` (checkpoint/, metrics.jsonl) are carried over.
void saveModel(const Model& model, const std::filesystem::path& dir, WeightsPrecision precision = WeightsPrecision::Auto);

}  // namespace soundspot::nn
