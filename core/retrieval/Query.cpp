#include "core/retrieval/Query.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/ImageFile.h"
#include "core/media/MediaReader.h"
#endif

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>

namespace soundspot::retrieval {

namespace fs = std::filesystem;

namespace {

// Parses a non-negative decimal number that fills the whole text.
bool parseNumber(const std::string& text, double& out) {
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

}  // namespace

MediaTime parseMediaTime(const std::string& spec) {
  const auto at = spec.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == spec.size())
    throw UsageError(spec, "expected MEDIA@SECONDS (e.g. clip.mp4@12.5)");
  const std::string when = spec.substr(at + 1);
  double seconds = 0;
  // [h:]mm:ss[.f] or plain seconds.
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t colon; (colon = when.find(':', start)) != std::string::npos; start = colon + 1)
    parts.push_back(when.substr(start, colon - start));
  parts.push_back(when.substr(start));
  if (parts.size() > 3) throw UsageError(spec, "time '" + when + "' is not seconds or [h:]mm:ss");
  for (size_t i = 0; i < parts.size(); ++i) {
    double v = 0;
    const bool last = i + 1 == parts.size();
    if (!parseNumber(parts[i], v) || (!last && parts[i].find('.') != std::string::npos) || (i > 0 && v >= 60))
      throw UsageError(spec, "time '" + when + "' is not seconds or [h:]mm:ss");
    seconds = seconds * 60 + v;
  }
  return {fs::path(spec.substr(0, at)), seconds};
}

#ifdef SOUNDSPOT_HAS_FFMPEG

std::vector<float> spectrogramAt(media::MediaReader& reader, double centre) {
  std::vector<float> wave = reader.audio(centre - 0.5, 1.0);
  wave.resize(audio::kWindowSamples, 0.f);
  return audio::logSpectrogram(wave.data());
}

namespace {

void warnPastEnd(const media::MediaReader& reader, const fs::path& media, double time) {
  if (time > reader.info().duration)
    spdlog::warn("{}: {:.2f} s is past the end ({:.2f} s)", media.string(), time, reader.info().duration);
}

}  // namespace

std::vector<float> imageFileQuery(Encoder& encoder, const fs::path& image) {
  const media::RgbFrame frame = media::readImage(image);
  return encoder.encodeImages({&frame});
}

std::vector<float> frameQuery(Encoder& encoder, const fs::path& media, double time) {
  media::MediaReader reader(media.string());
  if (!reader.info().hasVideo) throw Error(media.string(), "has no video stream");
  warnPastEnd(reader, media, time);
  const media::RgbFrame frame = reader.frameAt(time);
  if (frame.rgb.empty()) throw Error(media.string(), "no frame at " + std::to_string(time) + " s");
  return encoder.encodeImages({&frame});
}

std::vector<float> audioQuery(Encoder& encoder, const fs::path& media, double time) {
  media::MediaReader reader(media.string());
  if (!reader.info().hasAudio) throw Error(media.string(), "has no audio stream");
  warnPastEnd(reader, media, time);
  const std::vector<float> spec = spectrogramAt(reader, time);
  return encoder.encodeSpectrograms({spec.data()});
}

#else

std::vector<float> spectrogramAt(media::MediaReader&, double) {
  throw Error("media", "cannot be decoded: this build has no FFmpeg");
}
std::vector<float> imageFileQuery(Encoder&, const fs::path& image) {
  throw Error(image.string(), "cannot be read: this build has no FFmpeg");
}
std::vector<float> frameQuery(Encoder&, const fs::path& media, double) {
  throw Error(media.string(), "cannot be decoded: this build has no FFmpeg");
}
std::vector<float> audioQuery(Encoder&, const fs::path& media, double) {
  throw Error(media.string(), "cannot be decoded: this build has no FFmpeg");
}

#endif

}  // namespace soundspot::retrieval
