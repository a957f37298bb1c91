#pragma once
// Which of the paper's networks a model is, and its size. Kept free of torch
// so that the CLI and UI can parse and show it cheaply.
#include <string>

namespace soundspot::nn {

enum class Arch { Avol, Ave, L3 };  // "avol" | "ave" | "l3"

// How AVOL-Net compares a region with the audio before the calibration:
// the paper's raw scalar product, or the cosine (unit-length embeddings), which
// the contrastive objective trains (EZ-VSL) and which keeps the calibrated map
// on a fixed scale.
enum class Similarity { Dot, Cosine };  // "dot" | "cosine"

// The layout of both conv towers (ConvStack.h): the paper's, or a compact
// one for training and real-time inference on a CPU (a 4x4 stride-4 stem
// reaches 56x56 at once; same 8w x 14x14 vision grid and 8w x 16x12 audio
// output, so the heads are unchanged).
enum class Tower { Paper, Compact };  // "paper" | "compact"

struct NetConfig {
  Arch arch = Arch::Avol;
  int width = 64;     // channels of the first conv block (paper: 64)
  int embedDim = 128; // embedding size of AVE-Net / AVOL-Net (paper: 128)
  Similarity similarity = Similarity::Dot;  // AVOL-Net only
  Tower tower = Tower::Paper;
};

Arch parseArch(const std::string& text);  // throws UsageError naming the value
std::string toString(Arch arch);
Similarity parseSimilarity(const std::string& text);  // throws UsageError naming the value
std::string toString(Similarity similarity);
Tower parseTower(const std::string& text);  // throws UsageError naming the value
std::string toString(Tower tower);

}  // namespace soundspot::nn
