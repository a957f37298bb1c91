#include "core/nn/ModelFolder.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/JsonNumbers.h"
#include "core/nn/EnsembleFolder.h"
#include "core/nn/Model.h"
#include "core/nn/Preprocess.h"
#include "core/nn/Safetensors.h"

#include <spdlog/spdlog.h>

#include <map>

namespace soundspot::nn {

namespace fs = std::filesystem;
using nlohmann::json;

std::string weightsPart(const std::string& tensorName) {
  if (tensorName.rfind("vision.", 0) == 0) return "vision";
  if (tensorName.rfind("audio.", 0) == 0) return "audio";
  return "head";
}

const std::vector<std::string>& weightsParts() {
  static const std::vector<std::string> parts = {"vision", "audio", "head"};
  return parts;
}

std::string weightsFileName(const std::string& part) { return part + ".safetensors"; }

namespace {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Parameters and buffers (BatchNorm running statistics included) by part.
std::map<std::string, NamedTensors> tensorsByPart(const torch::nn::Module& module) {
  std::map<std::string, NamedTensors> parts;
  for (const auto& p : module.named_parameters(true)) parts[weightsPart(p.key())].emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) parts[weightsPart(b.key())].emplace_back(b.key(), b.value());
  return parts;
}

json inputDescription() {
  return {{"image_size", kImageSize},
          {"image_mean", std::vector<float>(kImageMean.begin(), kImageMean.end())},
          {"image_std", std::vector<float>(kImageStd.begin(), kImageStd.end())},
          {"image_resize", "whole frame, bilinear, half-pixel centres"},
          {"spectrogram", {kSpectrogramBins, kSpectrogramFrames}}};
}

std::string shapeText(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + "]";
}

}  // namespace

void saveModel(const Model& model, const fs::path& dir, WeightsPrecision precision) {
  const auto module = model.module();
  if (!module) throw Error(dir.string(), "no network to save");
  if (isEnsembleCard(model.card))
    throw Error(dir.string(), "an ensemble is not saved as one network (soundspot-cli ensemble writes its folder)");
  json card = model.card.is_object() ? model.card : json::object();
  card["format"] = kModelFormat;
  card["arch"] = toString(model.config.arch);
  card["width"] = model.config.width;
  card["embed_dim"] = model.config.embedDim;
  card["tower"] = toString(model.config.tower);
  if (model.config.arch == Arch::Avol) card["similarity"] = toString(model.config.similarity);
  card["input"] = inputDescription();
  card["version"] = SOUNDSPOT_VERSION;
  if (!card.contains("paper")) card["paper"] = "Objects that Sound, Arandjelovic & Zisserman, ECCV 2018";
  if (!card.contains("recipe")) card["recipe"] = json::object();

  const std::map<std::string, std::string> metadata = {
      {"format", kModelFormat},
      {"arch", toString(model.config.arch)},
      {"width", std::to_string(model.config.width)},
      {"embed_dim", std::to_string(model.config.embedDim)},
      {"similarity", toString(model.config.similarity)},
      {"tower", toString(model.config.tower)},
      {"input", inputDescription().dump()},
      {"version", SOUNDSPOT_VERSION},
      {"recipe", card["recipe"].dump()}};

  // Other files of the folder (a training checkpoint, metrics) are kept.
  writeFolderAtomically(dir, "model folder", [&](const fs::path& tmp) {
    json files = json::object();
    auto parts = tensorsByPart(*module);
    for (const auto& part : weightsParts()) {
      auto meta = metadata;
      meta["part"] = part;
      const auto& tensors = parts[part];
      std::string bytes = encodeSafetensors(tensors, meta, precision == WeightsPrecision::F16 ? StoredFloat::F16 : StoredFloat::F32);
      if (precision == WeightsPrecision::Auto && bytes.size() >= kMaxWeightsFileBytes) {
        bytes = encodeSafetensors(tensors, meta, StoredFloat::F16);
        spdlog::info("{}: stored in F16 ({:.1f} MiB)", weightsFileName(part), bytes.size() / 1048576.0);
      }
      writeFileAtomically(tmp / weightsFileName(part), bytes);
      files[part] = weightsFileName(part);
    }
    card["files"] = files;
    writeFileAtomically(tmp / kCardFile, card.dump(2) + "\n");
  }, OtherFiles::Keep);
}

Model loadModel(const fs::path& dir, const std::string& device) {
  const fs::path cardPath = dir / kCardFile;
  if (!fs::is_directory(dir)) throw Error(dir.string(), "no such model folder");
  if (!fs::exists(cardPath)) throw Error(cardPath.string(), "missing: not a SoundSpot model folder");
  json card;
  try {
    card = json::parse(readFile(cardPath, 4u << 20, "model card"));
  } catch (const json::exception& e) {
    throw Error(cardPath.string(), std::string("not valid JSON (") + e.what() + ")");
  }
  NetConfig config;
  try {
    if (card.value("format", "") != kModelFormat)
      throw Error(cardPath.string(), "unknown model format '" + card.value("format", "") + "' (expected " + kModelFormat + ")");
    if (isEnsembleCard(card)) return loadEnsembleFolder(dir, card, device);
    config.arch = parseArch(card.at("arch").get<std::string>());
    const auto width = wholeNumberIn(card.at("width"), 1, 1024);
    const auto embedDim = card.contains("embed_dim") ? wholeNumberIn(card["embed_dim"], 1, 4096) : std::optional<int64_t>(128);
    if (!width || !embedDim)
      throw Error(cardPath.string(), "implausible width/embed_dim in the model card (whole numbers 1-1024 and 1-4096)");
    config.width = static_cast<int>(*width);
    config.embedDim = static_cast<int>(*embedDim);
    config.similarity = parseSimilarity(card.value("similarity", "dot"));
    config.tower = parseTower(card.value("tower", "paper"));  // older cards: the paper's towers
  } catch (const json::exception& e) {
    throw Error(cardPath.string(), std::string("invalid model card (") + e.what() + ")");
  } catch (const UsageError& e) {
    throw Error(cardPath.string(), "invalid model card: " + e.problem());
  }

  Model model = makeModel(config);
  model.card = card;
  auto parts = tensorsByPart(*model.module());
  torch::NoGradGuard noGrad;
  for (const auto& part : weightsParts()) {
    const fs::path file = dir / weightsFileName(part);
    if (!fs::exists(file)) throw Error(file.string(), "missing weights file");
    const auto content = readSafetensors(file);
    const auto arch = content.metadata.find("arch");
    if (arch == content.metadata.end() || arch->second != toString(config.arch))
      throw Error(file.string(), "holds weights of arch '" + (arch == content.metadata.end() ? std::string("?") : arch->second) +
                                     "' but the model card says '" + toString(config.arch) + "'");
    const auto width = content.metadata.find("width");
    if (width == content.metadata.end() || width->second != std::to_string(config.width))
      throw Error(file.string(), "holds weights of width " + (width == content.metadata.end() ? std::string("?") : width->second) +
                                     " but the model card says " + std::to_string(config.width));
    const auto& expected = parts[part];
    for (const auto& [name, target] : expected) {
      const auto it = content.tensors.find(name);
      if (it == content.tensors.end()) throw Error(file.string(), "missing tensor '" + name + "'");
      if (!it->second.sizes().equals(target.sizes()))
        throw Error(file.string(), "tensor '" + name + "' has shape " + shapeText(it->second) + ", expected " + shapeText(target));
      if (it->second.is_floating_point() != target.is_floating_point())
        throw Error(file.string(), "tensor '" + name + "' has the wrong type");
      target.copy_(it->second.to(target.scalar_type()));
    }
    if (content.tensors.size() != expected.size()) {
      for (const auto& tensor : content.tensors) {
        const std::string& name = tensor.first;  // not a structured binding: clang (C++17) cannot capture those
        const bool known = std::any_of(expected.begin(), expected.end(), [&](const auto& e) { return e.first == name; });
        if (!known) throw Error(file.string(), "unexpected tensor '" + name + "' (not part of this architecture)");
      }
    }
  }
  model.module()->to(torch::Device(device));
  model.module()->eval();
  model.device = device;
  return model;
}

}  // namespace soundspot::nn
