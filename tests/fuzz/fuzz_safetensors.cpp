// The safetensors reader (core/nn/Safetensors.cpp) on one weights file, from
// memory: header length, JSON header, dtype/shape/offset checks, data copy.
#include "core/common/Error.h"
#include "core/nn/Safetensors.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  soundspot::fuzz::quietLogs();
  static const bool oneThread = (torch::set_num_threads(1), true);  // one input at a time; no thread pool churn
  (void)oneThread;
  try {
    const auto content = soundspot::nn::decodeSafetensors(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    (void)content;
  } catch (const soundspot::Error& e) {
    // A rejected file is the expected outcome; anything else escapes and is a finding.
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
