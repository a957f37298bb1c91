// The class mapping parser (parseClassMapping, core/data/ClassMapping.cpp)
// on an object-classes.json, from memory.
#include "core/common/Error.h"
#include "core/data/ClassMapping.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  soundspot::fuzz::quietLogs();
  try {
    const auto mapping =
        soundspot::data::parseClassMapping(std::string(reinterpret_cast<const char*>(data), size), "object-classes.json");
    (void)mapping;
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
