#pragma once
// What the trainer consumes: batches of (frame, 1 s spectrogram) pairs. The
// dataset-folder sampler (AvcSampler) and the on-the-fly scene synthesiser
// both implement it, on CPU or on the training device.
#include <torch/torch.h>

#include <cstdint>

namespace soundspot::data {

struct AvcBatch {
  torch::Tensor images;        // B x 3 x 224 x 224 float, normalised like nn::imageTensor
  torch::Tensor spectrograms;  // B x 1 x 257 x 200 float (log-spectrogram)
  torch::Tensor corresponds;   // B float: 1 = audio belongs with the frame, 0 = negative
  torch::Tensor audioIdentity; // B int64: id of the source recording/clip of the audio
                               // (the contrastive loss masks pairs that share it)
  torch::Tensor soundingBoxes; // B x 4 float (x0, y0, x1, y1 in the network input,
                               // normalised) of the object that makes the pair's sound,
                               // all -1 when none is visible; undefined when the source
                               // has no ground truth (scene sources have it)
};

enum class PairMode {
  Avc,            // the paper's: half positives, half negatives
  PositivesOnly,  // contrastive objectives build negatives inside the batch
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // Draws the next batch (deterministic for the source's seed and call order).
  virtual AvcBatch next(int64_t batchSize, PairMode mode) = 0;
  // Number of distinct training samples that count as one epoch (for the
  // paper's "6% every 16 epochs" schedule).
  virtual int64_t epochSize() const = 0;
  // Restores the random state for exact resume: the source is reseeded from
  // (seed, step) so that batch `step` is the same after a restart.
  virtual void seek(int64_t step) = 0;
};

}  // namespace soundspot::data
