// The dataset reader (loadDataset, core/data/Dataset.cpp) on dataset.json:
// format, clips, splits, labels, annotated instants and their boxes. It takes
// a folder: the input becomes dataset.json in the process's scratch folder.
// A second pass checks the labels against a small class list, as the CLI
// does with an ontology.
#include "core/common/Error.h"
#include "core/data/Dataset.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = soundspot::fuzz;
  fz::quietLogs();
  static const auto dir = fz::scratchFolder("dataset");
  fz::writeBytes(dir / "dataset.json", std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    const auto ds = soundspot::data::loadDataset(dir);
    (void)ds.split("test");
    const auto known = [](const std::string& label) { return label == "Dog" || label == "Violin, fiddle" || label == "Speech"; };
    (void)soundspot::data::loadDataset(dir, known);
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
