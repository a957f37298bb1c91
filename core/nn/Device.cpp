#include "core/nn/Device.h"

#include "core/common/Error.h"

#include <torch/torch.h>

#include <thread>

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

int useCpuThreads(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  return torch::get_num_threads();
}

int cpuThreads() { return torch::get_num_threads(); }

}  // namespace soundspot::nn
