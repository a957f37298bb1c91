#pragma once
// Device choice shared by the CLI (--device auto|cpu|cuda), the trainer and
// the viewer's Device menu. Kept free of torch headers for the UI.
#include <istream>
#include <string>

namespace soundspot::nn {

enum class DeviceChoice { Auto, Cpu, Cuda };

DeviceChoice parseDeviceChoice(const std::string& text);  // throws UsageError
std::string toString(DeviceChoice choice);
bool cudaAvailable();
// Auto -> CUDA when available else CPU; Cuda without a GPU throws soundspot::Error.
// Returns "cpu" or "cuda".
std::string resolveDevice(DeviceChoice choice);

// CPU threads for LibTorch's intra-op parallelism: 0 = every core of the
// machine (LibTorch itself may default to one here). Returns the count set.
int useCpuThreads(int threads = 0);
int cpuThreads();  // what LibTorch uses now

// Whether this CPU has bf16 instructions (AVX-512 BF16 or AMX-BF16, from
// /proc/cpuinfo; false where that cannot be read). Without them bf16
// autocast (SOUNDSPOT_CPU_BF16=1) is emulated: about 10x slower training
// measured on an AVX2-only EPYC (README, Measured speed).
bool cpuHasNativeBf16();
// Whether bf16 autocast on the CPU was asked for (SOUNDSPOT_CPU_BF16=1).
bool cpuBf16Requested();
// The same read from the text of a /proc/cpuinfo (its first "flags" line).
bool cpuinfoHasNativeBf16(std::istream& cpuinfo);

}  // namespace soundspot::nn
