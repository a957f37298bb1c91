// Media opened from memory (MediaReader::fromMemory, core/media/MediaReader.cpp):
// FFmpeg's demuxers and decoders run on the input through SoundSpot's custom
// AVIOContext, under the sanitizers, with SoundSpot's handling around them:
// the indexing pass, stream info, frames at a few times (seeks, rotation,
// aspect ratio, RGB conversion) and the audio resampled to 48 kHz mono.
#include "core/common/Error.h"
#include "core/media/MediaReader.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  soundspot::fuzz::quietLogs();
  try {
    // No extension: FFmpeg guesses the format from the bytes alone.
    auto reader = soundspot::media::MediaReader::fromMemory(std::string(reinterpret_cast<const char*>(data), size), "fuzz-input");
    const auto& info = reader->info();
    // Decoding a picture of many megapixels is slow, not a parser bug: the
    // frames of such inputs are skipped (their headers were still parsed).
    const bool smallFrames = int64_t(info.width) * info.height <= 4096 * 2048;
    if (info.hasVideo && smallFrames) {
      const auto& times = reader->frameTimestamps();
      for (double t : {times.back(), 0.0, times[times.size() / 2]}) (void)reader->frameAt(t);  // a seek back, then forward
    }
    if (info.hasAudio) (void)reader->audio(0, std::min(info.duration, 10.0));
  } catch (const soundspot::Error& e) {
    soundspot::fuzz::rejected(e);
  }
  return 0;
}
