#pragma once
// What the evaluation suite asks of a trained network, whatever its
// architecture: embeddings for retrieval, a correspondence score for AVC
// accuracy and, for AVOL-Net, localization maps. Adapters for the three
// architectures of the paper wrap an nn::Model (makeEvalNetwork).
#include <torch/torch.h>

#include <memory>
#include <string>

namespace soundspot::nn {
struct Model;
}

namespace soundspot::eval {

class EvalNetwork {
 public:
  virtual ~EvalNetwork() = default;
  virtual std::string arch() const = 0;  // "avol" | "ave" | "l3"
  // B x 3 x 224 x 224 -> B x D and B x 1 x 257 x 200 -> B x D; the suite
  // L2-normalises them and ranks by dot product. AVE-Net: its embeddings;
  // AVOL-Net: max-pooled region embeddings / audio embedding; L3-Net: the
  // pooled 512-d features of each tower.
  virtual torch::Tensor imageEmbedding(const torch::Tensor& images) = 0;
  virtual torch::Tensor audioEmbedding(const torch::Tensor& spectrograms) = 0;
  // B: > 0 means "the audio belongs with the frame".
  virtual torch::Tensor correspondence(const torch::Tensor& images, const torch::Tensor& spectrograms) = 0;
  // AVOL-Net only: B x 14 x 14 calibrated logits (before the sigmoid).
  virtual bool localizes() const { return false; }
  virtual torch::Tensor mapLogits(const torch::Tensor& images, const torch::Tensor& spectrograms);
  // L3-Net's raw features are compared through CCA in the cross-modal directions.
  virtual bool needsCca() const { return false; }
};

// Wraps a loaded model (inference mode, on its device).
std::unique_ptr<EvalNetwork> makeEvalNetwork(const nn::Model& model);
// A freshly initialised network of the same architecture and width (fixed
// seed): the untrained reference of mismatch_auroc_untrained.
std::unique_ptr<EvalNetwork> makeUntrainedNetwork(const nn::Model& model, uint64_t seed);

}  // namespace soundspot::eval
