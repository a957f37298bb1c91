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

class ClipDiskCache;

struct SkippedClip {
  std::string id;
  std::string reason;  // the decoder's one-line error, naming the file
};

class ClipCache {
 public:
  ClipCache(std::vector<Clip> clips, int maxFramesPerClip);
  // Reads decoded clips from / writes them to `disk` (may be null; not owned).
  void setDiskCache(const ClipDiskCache* disk) { disk_ = disk; }
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
  // The clips dropFailed() forgot, with why.
  const std::vector<SkippedClip>& skipped() const { return skipped_; }
  // Clips that decodeAll() read from the disk cache instead of decoding.
  size_t diskHits() const { return diskHits_; }

  // Decodes one clip (exposed for tests and tools); throws Error naming the
  // media, also when it lacks a video or audio stream or is shorter than 1 s.
  static CachedClip decode(const Clip& clip, int maxFrames);

 private:
  std::vector<Clip> clips_;
  std::vector<CachedClip> entries_;
  std::vector<SkippedClip> skipped_;
  int maxFrames_;
  const ClipDiskCache* disk_ = nullptr;
  size_t diskHits_ = 0;
};

// Bilinear resize of packed RGB with half-pixel centres (as torch's
// interpolate(align_corners=false)).
std::vector<uint8_t> resizeRgb(const uint8_t* rgb, int w, int h, int outW, int outH);

}  // namespace soundspot::data
