#pragma once
// Which of the paper's networks a model is, and its size. Kept free of torch
// so that the CLI and UI can parse and show it cheaply.
#include <string>

namespace soundspot::nn {

enum class Arch { Avol, Ave, L3 };  // "avol" | "ave" | "l3"

struct NetConfig {
  Arch arch = Arch::Avol;
  int width = 64;     // channels of the first conv block (paper: 64)
  int embedDim = 128; // embedding size of AVE-Net / AVOL-Net (paper: 128)
};

Arch parseArch(const std::string& text);  // throws UsageError naming the value
std::string toString(Arch arch);

}  // namespace soundspot::nn
