#include "core/nn/Device.h"

#include "core/common/Error.h"

#include <torch/torch.h>

namespace soundspot::nn {

DeviceChoice parseDeviceChoice(const std::string& text) {
  if (text == "auto") return DeviceChoice::Auto;
  if (text == "cpu") return DeviceChoice::Cpu;
  if (text == "cuda") return DeviceChoice::Cuda;
  throw UsageError("--device", "expected auto, cpu or cuda, got '" + text + "'");
}

std::string toString(DeviceChoice choice) {
  switch (choice) {
    case DeviceChoice::Auto: return "auto";
    case DeviceChoice::Cpu: return "cpu";
    case DeviceChoice::Cuda: return "cuda";
  }
  return "auto";
}

bool cudaAvailable() { return torch::cuda::is_available(); }

std::string resolveDevice(DeviceChoice choice) {
  if (choice == DeviceChoice::Cpu) return "cpu";
  if (choice == DeviceChoice::Cuda) {
    if (!cudaAvailable()) throw Error("CUDA", "no CUDA GPU is available on this machine (choose CPU or Auto)");
    return "cuda";
  }
  return cudaAvailable() ? "cuda" : "cpu";
}

}  // namespace soundspot::nn
