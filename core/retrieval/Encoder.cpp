#include "core/retrieval/Encoder.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/eval/EvalNetwork.h"
#include "core/nn/EnsembleFolder.h"
#include "core/nn/Model.h"
#include "core/nn/ModelFolder.h"
#include "core/nn/NetConfig.h"
#include "core/nn/Preprocess.h"
#include "core/common/Hash.h"

#include <torch/torch.h>

#include <algorithm>

namespace soundspot::retrieval {

namespace fs = std::filesystem;

namespace {

// card.json and the weights directly in `dir` (not a checkpoint/ below it).
uint64_t hashModelFiles(const fs::path& dir, uint64_t h) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && (e.path().filename() == nn::kCardFile || e.path().extension() == ".safetensors"))
      files.push_back(e.path());
  if (ec) throw Error(dir.string(), "cannot list the model folder: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    h = hashBytes(name.data(), name.size(), h);
    const uint64_t content = hashFile(f);
    h = hashBytes(&content, sizeof content, h);
  }
  return h;
}

}  // namespace

std::string modelContentHash(const fs::path& modelDir) {
  uint64_t h = hashModelFiles(modelDir, 0);
  // An ensemble's weights live in its member folders (one level, they do not nest).
  if (!fs::is_regular_file(modelDir / nn::kCardFile)) return hashHex(h);
  const auto card = nlohmann::json::parse(readFile(modelDir / nn::kCardFile, 4u << 20, "model card"), nullptr, false);
  if (nn::isEnsembleCard(card) && card["ensemble"].is_object() && card["ensemble"].contains("members") &&
      card["ensemble"]["members"].is_array())
    for (const auto& member : card["ensemble"]["members"])
      if (member.is_string()) {
        const std::string name = member.get<std::string>();
        h = hashBytes(name.data(), name.size(), h);
        if (fs::is_directory(modelDir / name)) h = hashModelFiles(modelDir / name, h);
      }
  return hashHex(h);
}

struct Encoder::Impl {
  nn::Model model;
  std::unique_ptr<eval::EvalNetwork> net;
  nlohmann::json summary;
  int64_t dim = 0;

  std::vector<float> finish(const torch::Tensor& embeddings) {
    const torch::Tensor e = embeddings.to(torch::kCPU, torch::kFloat);
    const torch::Tensor n = (e / e.norm(2, {1}, true).clamp_min(1e-12)).contiguous();
    if (dim == 0) dim = n.size(1);
    return std::vector<float>(n.data_ptr<float>(), n.data_ptr<float>() + n.numel());
  }
};

Encoder::Encoder(const fs::path& modelDir, const std::string& device) : impl_(std::make_unique<Impl>()) {
  impl_->model = nn::loadModel(modelDir, device);
  impl_->net = eval::makeEvalNetwork(impl_->model);
  nlohmann::json card = impl_->model.card;
  if (card.is_object()) card.erase("files");
  std::error_code ec;
  const fs::path abs = fs::weakly_canonical(fs::absolute(modelDir), ec);
  impl_->summary = {{"dir", (ec ? fs::absolute(modelDir) : abs).string()},
                    {"arch", nn::toString(impl_->model.config.arch)},
                    {"width", impl_->model.config.width},
                    {"embed_dim", impl_->model.config.embedDim},
                    {"card", card},
                    {"weights_hash", modelContentHash(modelDir)}};
}

Encoder::~Encoder() = default;

std::string Encoder::arch() const { return impl_->net->arch(); }

const nlohmann::json& Encoder::summary() const { return impl_->summary; }

int64_t Encoder::dim() {
  if (impl_->dim == 0) {
    media::RgbFrame black;
    black.width = nn::kImageSize;
    black.height = nn::kImageSize;
    black.rgb.assign(static_cast<size_t>(black.width) * black.height * 3, 0);
    encodeImages({&black});
  }
  impl_->summary["dim"] = impl_->dim;
  return impl_->dim;
}

std::vector<float> Encoder::encodeImages(const std::vector<const media::RgbFrame*>& frames) {
  if (frames.empty()) return {};
  c10::InferenceMode guard;
  std::vector<torch::Tensor> parts;
  parts.reserve(frames.size());
  for (const media::RgbFrame* f : frames) {
    if (!f || f->width <= 0 || f->height <= 0 || f->rgb.size() != static_cast<size_t>(f->width) * f->height * 3)
      throw Error("image", "empty or malformed picture");
    parts.push_back(nn::imageTensor(f->rgb.data(), f->width, f->height));
  }
  return impl_->finish(impl_->net->imageEmbedding(torch::cat(parts, 0)));
}

std::vector<float> Encoder::encodeSpectrograms(const std::vector<const float*>& spectrograms) {
  if (spectrograms.empty()) return {};
  c10::InferenceMode guard;
  std::vector<torch::Tensor> parts;
  parts.reserve(spectrograms.size());
  for (const float* s : spectrograms) parts.push_back(nn::audioTensor(s));
  return impl_->finish(impl_->net->audioEmbedding(torch::cat(parts, 0)));
}

}  // namespace soundspot::retrieval
