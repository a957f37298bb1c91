#include "core/nn/NetConfig.h"

#include "core/common/Error.h"

namespace soundspot::nn {

Arch parseArch(const std::string& text) {
  if (text == "avol") return Arch::Avol;
  if (text == "ave") return Arch::Ave;
  if (text == "l3") return Arch::L3;
  throw UsageError("--arch", "expected avol, ave or l3, got '" + text + "'");
}

std::string toString(Arch arch) {
  switch (arch) {
    case Arch::Avol: return "avol";
    case Arch::Ave: return "ave";
    case Arch::L3: return "l3";
  }
  return "avol";
}

Similarity parseSimilarity(const std::string& text) {
  if (text == "dot") return Similarity::Dot;
  if (text == "cosine") return Similarity::Cosine;
  throw UsageError("--similarity", "expected dot or cosine, got '" + text + "'");
}

std::string toString(Similarity similarity) { return similarity == Similarity::Cosine ? "cosine" : "dot"; }

Tower parseTower(const std::string& text) {
  if (text == "paper") return Tower::Paper;
  if (text == "compact") return Tower::Compact;
  throw UsageError("--tower", "expected paper or compact, got '" + text + "'");
}

std::string toString(Tower tower) { return tower == Tower::Compact ? "compact" : "paper"; }

}  // namespace soundspot::nn
