#pragma once
// Device choice shared by the CLI (--device auto|cpu|cuda), the trainer and
// the viewer's Device menu. Kept free of torch headers for the UI.
#include <string>

namespace soundspot::nn {

enum class DeviceChoice { Auto, Cpu, Cuda };

DeviceChoice parseDeviceChoice(const std::string& text);  // throws UsageError
std::string toString(DeviceChoice choice);
bool cudaAvailable();
// Auto -> CUDA when available else CPU; Cuda without a GPU throws soundspot::Error.
// Returns "cpu" or "cuda".
std::string resolveDevice(DeviceChoice choice);

}  // namespace soundspot::nn
