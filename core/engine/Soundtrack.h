#pragma once
// The soundtrack the maps listen to (and the viewer plays): a whole track of
// mono 48 kHz samples plus an offset, so that another clip's audio can be
// swapped in and slid against the picture. Video time t hears sample
// (t + offset) * 48000; outside the track is silence.
#include <cstddef>
#include <string>
#include <vector>

namespace soundspot::engine {

constexpr int kSoundtrackRate = 48000;

struct Soundtrack {
  std::string name;            // shown in the UI ("original" or the file name)
  std::string path;            // the media file the samples came from
  std::vector<float> samples;  // mono, 48 kHz
  double offset = 0;           // seconds into `samples` that video time 0 hears
  bool original = true;        // the video's own audio

  double duration() const { return double(samples.size()) / kSoundtrackRate; }
  // count samples starting at video time `start` (zeros outside the track).
  void read(double start, float* out, size_t count) const;
  // The 1 s window centred on video time t (the model's input): 48000 samples.
  std::vector<float> window(double t) const;
};

#ifdef SOUNDSPOT_HAS_FFMPEG
// Decodes the whole audio of a media file (throws Error naming the file when
// it cannot be read or has no audio track).
Soundtrack loadSoundtrack(const std::string& path, double offset = 0, bool original = false);
#endif

// "clip.mp4@2.5" -> {"clip.mp4", 2.5}; no '@' -> offset 0. Throws UsageError
// on a malformed offset.
std::pair<std::string, double> parseAudioSpec(const std::string& spec);

}  // namespace soundspot::engine
