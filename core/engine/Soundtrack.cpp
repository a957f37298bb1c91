#include "core/engine/Soundtrack.h"

#include "core/common/Error.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <cmath>
#include <filesystem>

namespace soundspot::engine {

void Soundtrack::read(double start, float* out, size_t count) const {
  const int64_t first = static_cast<int64_t>(std::llround((start + offset) * kSoundtrackRate));
  const int64_t size = static_cast<int64_t>(samples.size());
  for (size_t i = 0; i < count; ++i) {
    const int64_t s = first + static_cast<int64_t>(i);
    out[i] = (s >= 0 && s < size) ? samples[static_cast<size_t>(s)] : 0.f;
  }
}

std::vector<float> Soundtrack::window(double t) const {
  std::vector<float> w(kSoundtrackRate);
  read(t - 0.5, w.data(), w.size());
  return w;
}

#ifdef SOUNDSPOT_HAS_FFMPEG
Soundtrack loadSoundtrack(const std::string& path, double offset, bool original) {
  media::MediaReader reader(path);
  const auto& info = reader.info();
  if (!info.hasAudio) throw Error(path, "has no audio track");
  Soundtrack track;
  track.path = path;
  track.name = original ? "original" : std::filesystem::path(path).filename().string();
  track.offset = offset;
  track.original = original;
  track.samples = reader.audio(0, info.duration);
  return track;
}
#endif

std::pair<std::string, double> parseAudioSpec(const std::string& spec) {
  const auto at = spec.rfind('@');
  if (at == std::string::npos) return {spec, 0.0};
  const std::string file = spec.substr(0, at), number = spec.substr(at + 1);
  try {
    size_t used = 0;
    const double offset = std::stod(number, &used);
    if (used != number.size() || !std::isfinite(offset)) throw std::invalid_argument(number);
    return {file, offset};
  } catch (const std::exception&) {
    throw UsageError("--audio", "expected FILE or FILE@OFFSET_SECONDS, got '" + spec + "'");
  }
}

}  // namespace soundspot::engine
