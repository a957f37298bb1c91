// The model folder loader (loadModel, core/nn/ModelFolder.cpp): card.json and
// the three safetensors files, checked against the network the card
// describes. Input: card.json, vision, audio and head .safetensors joined by
// kFileSeparator (fewer parts: the later files are missing); the folder is
// written to the process's scratch folder, since loadModel takes a path.
#include "core/common/Error.h"
#include "core/nn/Model.h"
#include "core/nn/ModelFolder.h"
#include "tests/fuzz/FuzzSupport.h"

namespace {

// A card may legitimately ask for a wide network (width up to 1024 passes
// loadModel's plausibility check): building it costs seconds and gigabytes
// per input, not a parser bug, so such cards are skipped. Values outside
// the plausible range still go through (their rejection is what is tested).
bool wantsLargeNetwork(const std::string& cardText) {
  const auto card = nlohmann::json::parse(cardText, nullptr, false);
  if (!card.is_object()) return false;
  auto inRange = [&](const char* key, double small, double plausible) {
    const auto it = card.find(key);
    if (it == card.end() || !it->is_number()) return false;
    const double v = it->get<double>();
    return v > small && v <= plausible;
  };
  return inRange("width", 8, 1024) || inRange("embed_dim", 64, 4096);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = soundspot::fuzz;
  fz::quietLogs();
  static const bool oneThread = (torch::set_num_threads(1), true);
  (void)oneThread;
  static const auto dir = fz::scratchFolder("model");
  const auto parts = fz::splitFiles(data, size);
  if (wantsLargeNetwork(parts[0])) return 0;
  std::vector<std::string> names = {soundspot::nn::kCardFile};
  for (const auto& part : soundspot::nn::weightsParts()) names.push_back(soundspot::nn::weightsFileName(part));
  fz::writeFiles(dir, parts, names);
  try {
    const auto model = soundspot::nn::loadModel(dir, "cpu");
    (void)model;
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
