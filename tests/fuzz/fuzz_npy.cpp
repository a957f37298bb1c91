// The .npy reader (readNpy, core/common/Npy.cpp): magic, version, header
// length, dtype/order/shape in the Python-dict header, data size. readNpy
// takes a path: the input goes to a file in the process's scratch folder.
#include "core/common/Error.h"
#include "core/common/Npy.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = soundspot::fuzz;
  fz::quietLogs();
  static const auto file = fz::scratchFile("input.npy");
  fz::writeBytes(file, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const auto array = soundspot::readNpy(file);
    (void)array;
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
