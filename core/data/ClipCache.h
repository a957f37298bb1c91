#pragma once
// Decoded clips held in memory so that an epoch does not decode each video
// again. Per clip: up to `maxFramesPerClip` frames spread evenly over the
// video's frame grid, each resized (bilinear, like nn::imageTensor) to
// 224x224 RGB (150 KB), with their presentation timestamps, plus the whole
// audio as 48 kHz mono float. Memory: about clips x (maxFrames x 150 KB +
// seconds x 192 KB). Decoding runs on several threads (one MediaReader each);
// after decodeAll() the cache is read-only and safe to share between threads.
#include "core/common/Progress.h"
#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace soundspot::data {

constexpr int kCachedFrameSize = 224;

struct CachedClip {
  std::string id;
  bool ok = false;           // false: the media could not be decoded (see error)
  std::string error;
  double duration = 0;       // seconds
  std::vector<double> frameTimes;        // timestamps of the kept frames (on the video's frame grid)
  std::vector<std::vector<uint8_t>> frames;  // 224x224x3 RGB each
  std::vector<float> audio;  // whole clip, mono 48 kHz, starting at t = 0
  // The 1 s window centred on `centre` (seconds); zeros outside the clip.
  void window(double centre, float* out /*48000*/) const;
  // Same, starting at sample offset `start` (may be negative).
  void windowAt(int64_t start, float* out) const;
};

class ClipCache {
 public:
  ClipCache(std::vector<Clip> clips, int maxFramesPerClip);
  // Decodes every clip (threads >= 1). Undecodable media are kept as
  // ok = false, each logged as a warning, with a count at the end.
  void decodeAll(int threads, Progress* progress = nullptr, const CancelToken* cancel = nullptr);

  size_t size() const { return entries_.size(); }
  const CachedClip& operator[](size_t i) const { return entries_[i]; }
  const Clip& clip(size_t i) const { return clips_[i]; }
  // Indices of the clips that decoded.
  std::vector<size_t> usable() const;
  size_t failedCount() const;
  // Forgets the clips that failed to decode (indices shift); returns how many.
  size_t dropFailed();

  // Decodes one clip (exposed for tests and tools); throws Error naming the media.
  static CachedClip decode(const Clip& clip, int maxFrames);

 private:
  std::vector<Clip> clips_;
  std::vector<CachedClip> entries_;
  int maxFrames_;
};

// Bilinear resize of packed RGB with half-pixel centres (as torch's
// interpolate(align_corners=false)).
std::vector<uint8_t> resizeRgb(const uint8_t* rgb, int w, int h, int outW, int outH);

}  // namespace soundspot::data
