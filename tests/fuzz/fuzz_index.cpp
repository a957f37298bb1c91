// The retrieval index loader (loadIndex, core/retrieval/Index.cpp) on a whole
// index folder. Input: one mode byte, then index.json, clips.json, image.f32
// and audio.f32 joined by kFileSeparator (fewer parts: the later files are
// missing). Mode 'F' first rewrites the sizes and hashes that index.json
// records to match the files given, so that mutations get past the hash
// checks into clips.json and the matrices; any other mode leaves them as
// they are (the checks themselves are fuzzed). loadIndex takes a folder: the
// files go to the process's scratch folder.
#include "core/common/Error.h"
#include "core/common/Hash.h"
#include "core/retrieval/Index.h"
#include "tests/fuzz/FuzzSupport.h"

namespace rt = soundspot::retrieval;

namespace {

void fixRecords(std::vector<std::string>& parts) {
  auto head = nlohmann::json::parse(parts[0], nullptr, false);
  if (!head.is_object() || !head.contains("files") || !head["files"].is_object()) return;
  const char* names[] = {rt::kClipsFile, rt::kImageFile, rt::kAudioFile};
  for (size_t i = 0; i < 3; ++i) {
    const std::string& bytes = i + 1 < parts.size() ? parts[i + 1] : std::string();
    auto& rec = head["files"][names[i]];
    if (!rec.is_object()) continue;
    rec["bytes"] = bytes.size();
    rec["hash"] = soundspot::hashHex(soundspot::hashBytes(bytes.data(), bytes.size()));
  }
  parts[0] = head.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fz = soundspot::fuzz;
  fz::quietLogs();
  static const auto dir = fz::scratchFolder("index");
  if (size < 1) return 0;
  auto parts = fz::splitFiles(data + 1, size - 1);
  if (data[0] == 'F') fixRecords(parts);
  fz::writeFiles(dir, parts, {rt::kIndexFile, rt::kClipsFile, rt::kImageFile, rt::kAudioFile});
  try {
    const auto index = rt::loadIndex(dir);
    for (int64_t e = 0; e < index.size(); ++e) (void)index.clipOf(e);  // entries must point at clips
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
