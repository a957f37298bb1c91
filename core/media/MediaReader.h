#pragma once
// Random and sequential access to the pictures and the sound of a media file
// (anything FFmpeg opens).
//
// Pictures: frameAt(t) returns the frame displayed at t, i.e. the last frame
// whose timestamp is <= t (clamped to the first/last frame), exact for
// variable frame rates too. A request that moves forward without crossing a
// keyframe continues decoding where the previous one stopped (playback never
// seeks); any other request seeks to the nearest keyframe before t and decodes
// forward. The last few frames handed out are cached.
//
// Sound: audio(start, duration) returns mono float at 48 kHz where sample k is
// the sound at start + k/48000 s; samples outside the audio are zeros. The
// whole track is decoded once, on first use, and kept in memory: 192 KB per
// second of audio (11.5 MB per minute); a gap in the timestamps costs nothing.
//
// Times are on the media's timeline, shifted so that a container that starts
// late (e.g. MPEG-TS) starts at 0. Construction reads the whole file once
// without decoding (to list the frame timestamps and detect truncation).
#include "core/media/RgbFrame.h"
#include "core/media/StreamInfo.h"

#include <memory>
#include <string>
#include <vector>

namespace soundspot::media {

constexpr int kAudioRate = 48000;  // the rate audio() resamples to

class MediaReader {  // not thread-safe; one per thread
 public:
  // Throws soundspot::Error naming the file when it is missing, not media
  // FFmpeg can read, truncated or damaged.
  explicit MediaReader(const std::string& path);
  // Media held in memory (an archive member, a download, a fuzzer's input):
  // FFmpeg reads `bytes` through a custom AVIOContext and may open no other
  // file or URL. `name` stands for the file in messages and info().path;
  // its extension, if any, helps FFmpeg guess the format. Same errors as the
  // path constructor.
  static std::unique_ptr<MediaReader> fromMemory(std::string bytes, const std::string& name);
  ~MediaReader();
  MediaReader(const MediaReader&) = delete;
  MediaReader& operator=(const MediaReader&) = delete;

  const StreamInfo& info() const;
  // Last frame with pts <= t. Throws Error when there is no video stream or
  // the frame cannot be decoded.
  RgbFrame frameAt(double t);
  // Mono 48 kHz; zeros outside the audio. Throws Error when there is no audio stream.
  std::vector<float> audio(double start, double duration);
  // All video presentation timestamps (s), ascending.
  const std::vector<double>& frameTimestamps();
  // Video seeks performed so far (diagnostics: playback should need one).
  int64_t seekCount() const;

 private:
  struct Impl;
  explicit MediaReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace soundspot::media
