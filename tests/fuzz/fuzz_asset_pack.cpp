// The asset pack reader (readAssetPack, core/data/AssetPack.cpp): magic,
// header length, JSON header, zstd payload, every image/recording/background
// range. It takes a path: the input goes to a file in the scratch folder.
#include "core/common/Error.h"
#include "core/data/AssetPack.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = soundspot::fuzz;
  fz::quietLogs();
  static const auto file = fz::scratchFile("input.sspack");
  fz::writeBytes(file, std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const auto pack = soundspot::data::readAssetPack(file);
    (void)soundspot::data::countDiverseClasses(pack);  // indexes by the class ids just read
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
