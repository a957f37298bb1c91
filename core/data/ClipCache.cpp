#include "core/data/ClipCache.h"

#include "core/common/Error.h"
#include "core/data/ClipDiskCache.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>

namespace soundspot::data {

namespace {
constexpr int kRate = 48000;
constexpr int kWindow = 48000;
}  // namespace

void CachedClip::windowAt(int64_t start, float* out) const {
  const int64_t n = static_cast<int64_t>(audio.size());
  for (int64_t i = 0; i < kWindow; ++i) {
    const int64_t s = start + i;
    out[i] = (s >= 0 && s < n) ? audio[static_cast<size_t>(s)] : 0.f;
  }
}

void CachedClip::window(double centre, float* out) const {
  windowAt(static_cast<int64_t>(std::llround(centre * kRate)) - kWindow / 2, out);
}

std::vector<uint8_t> resizeRgb(const uint8_t* rgb, int w, int h, int outW, int outH) {
  std::vector<uint8_t> out(static_cast<size_t>(outW) * outH * 3);
  const float sx = static_cast<float>(w) / outW, sy = static_cast<float>(h) / outH;
  for (int y = 0; y < outH; ++y) {
    const float fy = std::max(0.f, (y + 0.5f) * sy - 0.5f);
    const int y0 = std::min(static_cast<int>(fy), h - 1), y1 = std::min(y0 + 1, h - 1);
    const float ay = fy - y0;
    for (int x = 0; x < outW; ++x) {
      const float fx = std::max(0.f, (x + 0.5f) * sx - 0.5f);
      const int x0 = std::min(static_cast<int>(fx), w - 1), x1 = std::min(x0 + 1, w - 1);
      const float ax = fx - x0;
      for (int c = 0; c < 3; ++c) {
        const float p00 = rgb[(static_cast<size_t>(y0) * w + x0) * 3 + c];
        const float p01 = rgb[(static_cast<size_t>(y0) * w + x1) * 3 + c];
        const float p10 = rgb[(static_cast<size_t>(y1) * w + x0) * 3 + c];
        const float p11 = rgb[(static_cast<size_t>(y1) * w + x1) * 3 + c];
        const float v = (1 - ay) * ((1 - ax) * p00 + ax * p01) + ay * ((1 - ax) * p10 + ax * p11);
        out[(static_cast<size_t>(y) * outW + x) * 3 + c] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

ClipCache::ClipCache(std::vector<Clip> clips, int maxFramesPerClip)
    : clips_(std::move(clips)), entries_(clips_.size()), maxFrames_(std::max(1, maxFramesPerClip)) {
  for (size_t i = 0; i < clips_.size(); ++i) entries_[i].id = clips_[i].id;
}

CachedClip ClipCache::decode(const Clip& clip, int maxFrames) {
#ifdef SOUNDSPOT_HAS_FFMPEG
  media::MediaReader reader(clip.media.string());
  const auto& info = reader.info();
  if (!info.hasVideo) throw Error(clip.media.string(), "has no video stream");
  if (!info.hasAudio) throw Error(clip.media.string(), "has no audio stream");
  // A training pair needs a whole second of sound around its frame.
  if (info.duration < 1.0) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", info.duration);
    throw Error(clip.media.string(), std::string("is shorter than 1 s (") + seconds + " s)");
  }
  CachedClip out;
  out.id = clip.id;
  out.duration = info.duration;
  const std::vector<double> grid = reader.frameTimestamps();
  if (grid.empty()) throw Error(clip.media.string(), "has no decodable video frames");
  // Keep frames whose centred 1 s window lies inside the clip when the clip is
  // long enough, so that no training pair is mostly silence padding.
  std::vector<double> eligible;
  for (double t : grid)
    if (t >= 0.5 && t <= info.duration - 0.5) eligible.push_back(t);
  if (eligible.empty()) eligible = grid;
  const size_t keep = std::min(eligible.size(), static_cast<size_t>(maxFrames));
  for (size_t k = 0; k < keep; ++k) {
    // Evenly spread over the eligible frames, ends included.
    const size_t idx = keep == 1 ? eligible.size() / 2 : k * (eligible.size() - 1) / (keep - 1);
    const double t = eligible[idx];
    media::RgbFrame f = reader.frameAt(t);
    if (f.rgb.empty()) throw Error(clip.media.string(), "frame at " + std::to_string(t) + " s could not be decoded");
    out.frameTimes.push_back(t);
    out.frames.push_back(resizeRgb(f.rgb.data(), f.width, f.height, kCachedFrameSize, kCachedFrameSize));
  }
  out.audio = reader.audio(0.0, info.duration);
  out.ok = true;
  return out;
#else
  (void)maxFrames;
  throw Error(clip.media.string(), "cannot be decoded: this build has no FFmpeg");
#endif
}

void ClipCache::decodeAll(int threads, Progress* progress, const CancelToken* cancel) {
  std::atomic<size_t> nextIndex{0};
  std::atomic<size_t> hits{0};
  std::mutex progressMutex;
  auto worker = [&] {
    for (;;) {
      if (cancel && cancel->cancelled()) return;
      const size_t i = nextIndex.fetch_add(1);
      if (i >= clips_.size()) return;
      if (entries_[i].ok) continue;
      try {
        if (auto cached = disk_ ? disk_->load(clips_[i], maxFrames_) : std::nullopt) {
          entries_[i] = std::move(*cached);
          ++hits;
        } else {
          entries_[i] = decode(clips_[i], maxFrames_);
          if (disk_) disk_->store(clips_[i], maxFrames_, entries_[i]);
        }
      } catch (const std::exception& e) {
        entries_[i].ok = false;
        entries_[i].error = e.what();
        spdlog::warn("skipping clip '{}': {}", clips_[i].id, e.what());
      }
      if (progress) {
        std::lock_guard<std::mutex> lock(progressMutex);
        progress->advance(1, clips_[i].id);
      }
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(clips_.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  diskHits_ += hits.load();
  if (cancel && cancel->cancelled()) throw Error("clip cache", "decoding cancelled");
  if (disk_ && hits > 0) spdlog::info("{} of {} clips read from the clip cache {}", hits.load(), clips_.size(), disk_->dir().string());
  const size_t failed = failedCount();
  if (failed > 0) spdlog::warn("{} of {} clips skipped (no video or audio stream, shorter than 1 s, or not decodable)", failed, clips_.size());
}

std::vector<size_t> ClipCache::usable() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].ok) out.push_back(i);
  return out;
}

size_t ClipCache::dropFailed() {
  std::vector<Clip> clips;
  std::vector<CachedClip> entries;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i].ok) {
      skipped_.push_back({clips_[i].id, entries_[i].error});
      continue;
    }
    clips.push_back(std::move(clips_[i]));
    entries.push_back(std::move(entries_[i]));
  }
  const size_t dropped = entries_.size() - entries.size();
  clips_ = std::move(clips);
  entries_ = std::move(entries);
  return dropped;
}

size_t ClipCache::failedCount() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.ok ? 0 : 1;
  return n;
}

}  // namespace soundspot::data
