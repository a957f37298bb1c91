#include "core/nn/Device.h"

#include "core/common/Error.h"

#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
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

bool cpuHasNativeBf16() {
  std::ifstream in("/proc/cpuinfo");
  return in && cpuinfoHasNativeBf16(in);
}

bool cpuBf16Requested() {
  const char* v = std::getenv("SOUNDSPOT_CPU_BF16");
  return v && std::string(v) == "1";
}

bool cpuinfoHasNativeBf16(std::istream& in) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line.substr(line.find(':') + 1));
    for (std::string flag; flags >> flag;)
      if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
    return false;  // every core lists the same flags
  }
  return false;
}

}  // namespace soundspot::nn
