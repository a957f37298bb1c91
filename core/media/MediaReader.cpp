#include "core/media/MediaReader.h"

#include "core/common/Error.h"
#include "core/media/FfmpegHelpers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <limits>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/opt.h>
}

namespace soundspot::media {

using namespace detail;

namespace {

constexpr size_t kCachedFrames = 8;
constexpr std::ptrdiff_t kContinueFrames = 16;  // decode on rather than seek when the next keyframe is this close
constexpr int64_t kNoPts = AV_NOPTS_VALUE;

// Clockwise display rotation in degrees (0/90/180/270) from the display
// matrix side data, or the legacy "rotate" tag.
int displayRotation(const AVStream* st) {
  double clockwise = 0;
  if (const auto* m = reinterpret_cast<const int32_t*>(av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr))) {
    // av_display_rotation_get is counter-clockwise.
    const double ccw = av_display_rotation_get(m);
    if (std::isfinite(ccw)) clockwise = -ccw;
  } else if (const AVDictionaryEntry* tag = av_dict_get(st->metadata, "rotate", nullptr, 0)) {
    clockwise = std::atof(tag->value);
  }
  int quarter = static_cast<int>(std::lround(clockwise / 90.0)) % 4;
  if (quarter < 0) quarter += 4;
  return quarter * 90;
}

// The width a picture of `width` stored pixels is shown at, given its sample
// (pixel) aspect ratio; unknown or square pixels keep it.
int displayWidth(int width, AVRational sar) {
  if (sar.num <= 0 || sar.den <= 0 || sar.num == sar.den) return width;
  // Clamped as a double: a damaged aspect ratio (a Matroska DisplayWidth of
  // 2^24 - 1 over a DisplayHeight of 1) can put it past INT_MAX.
  const double shown = std::round(width * av_q2d(sar));
  return static_cast<int>(std::clamp(shown, 1.0, 16384.0));
}

// Rotates packed RGB24 clockwise by 90/180/270 degrees.
std::vector<uint8_t> rotateRgb(const std::vector<uint8_t>& src, int w, int h, int rotation) {
  if (rotation == 0) return src;
  std::vector<uint8_t> dst(src.size());
  const int outW = rotation == 180 ? w : h;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      int ox = 0, oy = 0;
      if (rotation == 90) { ox = h - 1 - y; oy = x; }
      else if (rotation == 180) { ox = w - 1 - x; oy = h - 1 - y; }
      else { ox = y; oy = w - 1 - x; }
      std::memcpy(&dst[(static_cast<size_t>(oy) * outW + ox) * 3], &src[(static_cast<size_t>(y) * w + x) * 3], 3);
    }
  }
  return dst;
}

bool isUsableVideo(const AVStream* st) { return !(st->disposition & AV_DISPOSITION_ATTACHED_PIC); }

// Limits on what a file may make us allocate (README, Limits): a picture of
// the largest size is 200 MB as RGB, and the whole audio track is kept in
// memory at 192 KB per second (2 GB for the longest).
constexpr int64_t kMaxPictureSide = 16384, kMaxPicturePixels = 8192LL * 8192;
constexpr int64_t kMaxAudioSamples = int64_t{3} * 3600 * kAudioRate;
constexpr int kMinAudioRate = 1000;  // Hz; telephone audio is 8000

// Media in memory (MediaReader::fromMemory): each AVIOContext reads the shared
// bytes through its own cursor, so a reopened demuxer starts afresh.
struct MemorySource {
  std::shared_ptr<const std::string> bytes;
  int64_t pos = 0;
};

int readMemory(void* opaque, uint8_t* buf, int size) {
  auto* m = static_cast<MemorySource*>(opaque);
  const int64_t left = static_cast<int64_t>(m->bytes->size()) - m->pos;
  if (left <= 0 || size <= 0) return AVERROR_EOF;
  const int n = static_cast<int>(std::min<int64_t>(size, left));
  std::memcpy(buf, m->bytes->data() + m->pos, static_cast<size_t>(n));
  m->pos += n;
  return n;
}

int64_t seekMemory(void* opaque, int64_t offset, int whence) {
  auto* m = static_cast<MemorySource*>(opaque);
  const auto size = static_cast<int64_t>(m->bytes->size());
  whence &= ~AVSEEK_FORCE;
  if (whence == AVSEEK_SIZE) return size;
  const int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? m->pos : whence == SEEK_END ? size : -1;
  int64_t to = 0;
  if (base < 0 || __builtin_add_overflow(base, offset, &to) || to < 0) return AVERROR(EINVAL);
  m->pos = to;  // past the end is allowed, as for a file: reads then report EOF
  return to;
}

// Media in memory must be self-contained: a playlist or reference inside it
// may not make FFmpeg open files or URLs.
int refuseToOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) { return AVERROR(EPERM); }

struct AvioDeleter {
  void operator()(AVIOContext* c) const {
    delete static_cast<MemorySource*>(c->opaque);
    av_freep(&c->buffer);  // FFmpeg may have replaced the buffer it was given
    avio_context_free(&c);
  }
};
using AvioPtr = std::unique_ptr<AVIOContext, AvioDeleter>;

}  // namespace

struct MediaReader::Impl {
  std::string path;  // or the name given to fromMemory
  StreamInfo info;
  std::shared_ptr<const std::string> memory;  // fromMemory's bytes; null for a file
  AvioPtr avio;  // fmt's custom I/O for memory (declared first: fmt is closed before it)
  FormatInputPtr fmt;
  int videoIndex = -1, audioIndex = -1;
  AVRational videoTimeBase{1, 1};
  double offset = 0;  // seconds subtracted from every timestamp

  // Video index, built once by demuxing the whole file.
  std::vector<int64_t> pts;         // ascending, unique
  std::vector<double> times;        // pts in seconds, minus offset
  std::vector<int64_t> keyframePts;  // ascending

  // Decoder state: where the demuxer/decoder stand after the last request.
  CodecContextPtr videoDecoder;
  PacketPtr packet = makePacket();
  int64_t seeks = 0;
  bool positioned = false;   // the decoder continues from heldPts
  bool demuxEnded = false;   // flush packet sent
  bool decoderEnded = false; // decoder drained: a seek is needed before reuse
  FramePtr held = makeFrame();
  int64_t heldPts = kNoPts;
  SwsPtr sws;
  std::deque<RgbFrame> cache;

  // Audio, decoded once on first use, as runs of samples on the 48 kHz
  // timeline from audioStart. A gap in the timestamps separates two runs
  // instead of being stored as silence: a damaged header can jump hours
  // ahead, and a few kilobytes must not become gigabytes of zeros.
  struct AudioRun {
    int64_t start = 0;
    std::vector<float> samples;
  };
  bool audioLoaded = false;
  std::vector<AudioRun> audioRuns;
  double audioStart = 0;

  int64_t audioEnd() const {
    return audioRuns.empty() ? 0 : audioRuns.back().start + static_cast<int64_t>(audioRuns.back().samples.size());
  }

  explicit Impl(std::string p) : path(std::move(p)) {}

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path, problem); }

  void checkPictureSize(int64_t width, int64_t height) const {
    if (width > kMaxPictureSide || height > kMaxPictureSide || width * height > kMaxPicturePixels)
      fail("the picture is " + std::to_string(width) + "x" + std::to_string(height) +
           ": larger than SoundSpot opens (16384 pixels a side, 67 megapixels)");
  }

  void checkAudioLength(int64_t samples) const {
    if (samples > kMaxAudioSamples)
      fail("the audio runs past 3 hours (or its timestamps jump that far): longer audio is not opened");
  }

  // avformat_open_input on the file, or on the bytes in memory through a
  // fresh AVIO context returned in `newAvio` (which must outlive *raw).
  int openInput(AVFormatContext** raw, AvioPtr& newAvio) {
    if (!memory) return avformat_open_input(raw, path.c_str(), nullptr, nullptr);
    constexpr int kBufferSize = 1 << 16;
    auto* buffer = static_cast<uint8_t*>(av_malloc(kBufferSize));
    auto* source = new MemorySource{memory, 0};
    AVIOContext* ctx = buffer ? avio_alloc_context(buffer, kBufferSize, 0, source, readMemory, nullptr, seekMemory) : nullptr;
    if (!ctx) {
      av_free(buffer);
      delete source;
      throw std::bad_alloc();
    }
    newAvio.reset(ctx);
    *raw = avformat_alloc_context();
    if (!*raw) throw std::bad_alloc();
    (*raw)->pb = ctx;
    (*raw)->flags |= AVFMT_FLAG_CUSTOM_IO;
    (*raw)->io_open = refuseToOpen;
    return avformat_open_input(raw, path.c_str(), nullptr, nullptr);  // frees *raw (not pb) on failure
  }

  // A demuxer on the input (replacing any open one) with its stream information read.
  void openDemuxer(const std::string& failure) {
    AVFormatContext* raw = nullptr;
    AvioPtr newAvio;
    int r = openInput(&raw, newAvio);
    if (r < 0) fail(failure + " (" + ffmpegError(r) + ")");
    fmt.reset(raw);  // closes the old demuxer before its AVIO context goes
    avio = std::move(newAvio);
    r = avformat_find_stream_info(fmt.get(), nullptr);
    if (r < 0) fail("damaged: stream information unreadable (" + ffmpegError(r) + ")");
  }

  void open() {
    quietFfmpegLogs();
    if (!memory) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) fail("file not found");
      if (std::filesystem::is_directory(path, ec)) fail("is a folder, not a media file");
    }
    openDemuxer("not a media file FFmpeg can read");

    videoIndex = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (videoIndex >= 0 && !isUsableVideo(fmt->streams[videoIndex])) videoIndex = -1;
    audioIndex = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, videoIndex, nullptr, 0);
    if (audioIndex < 0) audioIndex = -1;
    if (videoIndex < 0 && audioIndex < 0) fail("has neither a video nor an audio stream");
    if (fmt->start_time != kNoPts && fmt->start_time > 0) offset = fmt->start_time / double(AV_TIME_BASE);

    if (videoIndex >= 0) {
      checkPictureSize(fmt->streams[videoIndex]->codecpar->width, fmt->streams[videoIndex]->codecpar->height);
      openVideoDecoder();
    }
    indexPackets();
    fillInfo();
  }

  CodecContextPtr openDecoder(int streamIndex, const char* kind) {
    const AVStream* st = fmt->streams[streamIndex];
    const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) fail(std::string(kind) + " codec " + avcodec_get_name(st->codecpar->codec_id) + " is not supported by this FFmpeg build");
    CodecContextPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw std::bad_alloc();
    int r = avcodec_parameters_to_context(ctx.get(), st->codecpar);
    if (r < 0) fail(std::string("bad ") + kind + " stream parameters (" + ffmpegError(r) + ")");
    ctx->pkt_timebase = st->time_base;
    ctx->thread_count = 2;
    r = avcodec_open2(ctx.get(), codec, nullptr);
    if (r < 0) fail(std::string("cannot open the ") + kind + " decoder (" + ffmpegError(r) + ")");
    return ctx;
  }

  void openVideoDecoder() {
    videoDecoder = openDecoder(videoIndex, "video");
    videoTimeBase = fmt->streams[videoIndex]->time_base;
  }

  // One demuxing pass: frame timestamps, keyframes, and truncation checks.
  void indexPackets() {
    int64_t videoPackets = 0, audioPackets = 0, audioBytes = 0, corrupt = 0;
    for (;;) {
      const int r = av_read_frame(fmt.get(), packet.get());
      if (r == AVERROR_EOF) break;
      if (r < 0) fail("damaged or truncated (" + ffmpegError(r) + " after " + std::to_string(videoPackets) + " video frames)");
      if (packet->flags & AV_PKT_FLAG_CORRUPT) ++corrupt;
      if (packet->stream_index == audioIndex) {
        ++audioPackets;
        audioBytes += packet->size;
      }
      if (packet->stream_index == videoIndex && !(packet->flags & AV_PKT_FLAG_DISCARD)) {
        int64_t p = packet->pts != kNoPts ? packet->pts : packet->dts;
        if (p == kNoPts) p = pts.empty() ? 0 : pts.back() + std::max<int64_t>(1, packet->duration);
        pts.push_back(p);
        if (packet->flags & AV_PKT_FLAG_KEY) keyframePts.push_back(p);
        ++videoPackets;
      }
      av_packet_unref(packet.get());
    }
    if (corrupt > 0) fail("damaged or truncated (" + std::to_string(corrupt) + " corrupt packets)");
    auto checkCount = [&](int index, int64_t got, const char* kind) {  // kind: singular noun
      if (index < 0) return;
      const int64_t expected = fmt->streams[index]->nb_frames;
      // Headers may count a frame or two that never became a packet (an AVI
      // index counts empty "dropped" frames); truncation loses far more.
      if (expected > 0 && got < expected - 1 - expected / 50)
        fail(std::string("truncated: only ") + std::to_string(got) + " of " + std::to_string(expected) + " " + kind +
             "s are in the file");
    };
    checkCount(videoIndex, videoPackets, "video packet");
    // MOV/MP4 count PCM audio in samples, not packets (a camera's .mov holds
    // a few large PCM chunks): compare samples there.
    if (audioIndex >= 0) {
      const AVCodecParameters* a = fmt->streams[audioIndex]->codecpar;
      const int bits = av_get_exact_bits_per_sample(a->codec_id);
      const int channels = std::max(1, a->ch_layout.nb_channels);
      if (bits > 0) checkCount(audioIndex, audioBytes * 8 / (bits * channels), "audio sample");
      else checkCount(audioIndex, audioPackets, "audio");
    }
    if (videoIndex >= 0 && pts.empty()) fail("damaged: the video stream has no frames");
    std::sort(pts.begin(), pts.end());
    pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
    std::sort(keyframePts.begin(), keyframePts.end());
    times.reserve(pts.size());
    for (int64_t p : pts) times.push_back(p * av_q2d(videoTimeBase) - offset);
  }

  void fillInfo() {
    info.path = path;
    info.container = fmt->iformat->name;
    info.hasVideo = videoIndex >= 0;
    info.hasAudio = audioIndex >= 0;
    double duration = fmt->duration != kNoPts ? fmt->duration / double(AV_TIME_BASE) : 0;
    if (videoIndex >= 0) {
      const AVStream* st = fmt->streams[videoIndex];
      info.videoCodec = avcodec_get_name(st->codecpar->codec_id);
      info.rotation = displayRotation(st);
      const bool swap = info.rotation == 90 || info.rotation == 270;
      const int shownWidth = displayWidth(st->codecpar->width, av_guess_sample_aspect_ratio(fmt.get(), fmt->streams[videoIndex], nullptr));
      info.width = swap ? st->codecpar->height : shownWidth;
      info.height = swap ? shownWidth : st->codecpar->height;
      info.frameCount = static_cast<int64_t>(times.size());
      AVRational rate = st->avg_frame_rate;
      if (rate.num <= 0 || rate.den <= 0) rate = st->r_frame_rate;
      if (rate.num > 0 && rate.den > 0) info.frameRate = av_q2d(rate);
      else if (times.size() > 1) info.frameRate = (times.size() - 1) / (times.back() - times.front());
      if (duration <= 0 && !times.empty()) duration = times.back() + (info.frameRate > 0 ? 1 / info.frameRate : 0);
    }
    if (audioIndex >= 0) {
      const AVStream* st = fmt->streams[audioIndex];
      info.audioCodec = avcodec_get_name(st->codecpar->codec_id);
      info.audioSampleRate = st->codecpar->sample_rate;
      info.audioChannels = st->codecpar->ch_layout.nb_channels;
      if (duration <= 0 && st->duration != kNoPts) duration = st->duration * av_q2d(st->time_base);
    }
    info.duration = std::max(0.0, duration);
  }

  // ---- video ----

  int64_t framePts(const AVFrame& f) const {
    return f.best_effort_timestamp != kNoPts ? f.best_effort_timestamp : f.pts;
  }

  // Next frame in presentation order into `out`; false at the end of the stream.
  bool decodeNext(AVFrame* out) {
    for (;;) {
      int r = avcodec_receive_frame(videoDecoder.get(), out);
      if (r == 0) return true;
      if (r == AVERROR_EOF) { decoderEnded = true; return false; }
      if (r != AVERROR(EAGAIN)) fail("video could not be decoded (" + ffmpegError(r) + ")");
      if (demuxEnded) { decoderEnded = true; return false; }
      r = av_read_frame(fmt.get(), packet.get());
      if (r < 0) {
        demuxEnded = true;
        avcodec_send_packet(videoDecoder.get(), nullptr);
        continue;
      }
      if (packet->stream_index == videoIndex) {
        r = avcodec_send_packet(videoDecoder.get(), packet.get());
        // A damaged packet costs its frame, not the whole request.
        if (r < 0 && r != AVERROR(EAGAIN)) spdlog::debug("{}: skipping a damaged video packet ({})", path, ffmpegError(r));
      }
      av_packet_unref(packet.get());
    }
  }

  void seekTo(int64_t ts) {
    ++seeks;
    spdlog::trace("{}: seek to {}", path, ts);
    int r = av_seek_frame(fmt.get(), videoIndex, ts, AVSEEK_FLAG_BACKWARD);
    if (r < 0) r = avformat_seek_file(fmt.get(), videoIndex, std::numeric_limits<int64_t>::min(), pts.front(), pts.front(), 0);
    if (r < 0) fail("cannot seek (" + ffmpegError(r) + ")");
    avcodec_flush_buffers(videoDecoder.get());
    positioned = true;
    demuxEnded = decoderEnded = false;
    heldPts = kNoPts;
    av_frame_unref(held.get());
  }

  // Some demuxers cannot seek back after the indexing pass (a lone JPEG read
  // by image2 stays at its end): a fresh demuxer starts over.
  void reopenAtStart() {
    ++seeks;
    spdlog::trace("{}: reopen to seek", path);
    openDemuxer("cannot reopen to seek");
    avcodec_flush_buffers(videoDecoder.get());
    positioned = true;
    demuxEnded = decoderEnded = false;
    heldPts = kNoPts;
    av_frame_unref(held.get());
  }

  // Playback: moving forward without crossing a keyframe is cheaper than seeking.
  bool canContinueTo(int64_t target) const {
    if (!positioned || decoderEnded || heldPts == kNoPts || target < heldPts) return false;
    auto key = std::upper_bound(keyframePts.begin(), keyframePts.end(), heldPts);
    if (key == keyframePts.end() || *key > target) return true;
    // Crossing a keyframe: decoding on still beats a seek while it is close
    // (playback reaches every keyframe from the frame just before it).
    if (std::next(key) != keyframePts.end() && *std::next(key) <= target) return false;  // a seek skips whole GOPs
    const auto framesToKey = std::lower_bound(pts.begin(), pts.end(), *key) - std::lower_bound(pts.begin(), pts.end(), heldPts);
    return framesToKey <= kContinueFrames;
  }

  // Keyframe timestamps to seek to, nearest first; the seek is retried from
  // an earlier one when the demuxer lands after the target (it may seek by
  // decoding time, which is earlier than presentation time).
  std::vector<int64_t> seekCandidates(int64_t target) const {
    std::vector<int64_t> c;
    auto it = std::upper_bound(keyframePts.begin(), keyframePts.end(), target);
    for (int i = 0; i < 2 && it != keyframePts.begin(); ++i) c.push_back(*--it);
    if (c.empty()) c.push_back(target);
    c.push_back(std::numeric_limits<int64_t>::min());  // the start of the stream
    return c;
  }

  // Decodes forward until the frame with pts `target`; leaves it in `held`.
  // Returns false when the first frame decoded already lies after the target.
  bool decodeUntil(int64_t target, bool freshSeek) {
    FramePtr next = makeFrame();
    bool first = true;
    for (;;) {
      if (heldPts != kNoPts && heldPts >= target) return true;
      if (!decodeNext(next.get())) return heldPts != kNoPts;
      const int64_t p = framePts(*next);
      if (freshSeek && first && p != kNoPts && p > target && target > pts.front()) return false;
      first = false;
      if (p != kNoPts && p > target && heldPts != kNoPts) {
        // The target frame was not produced (damaged): keep the last one before it.
        // Continuing later must not lose `next`, so re-seek next time.
        positioned = false;
        return true;
      }
      std::swap(held, next);
      av_frame_unref(next.get());
      heldPts = p != kNoPts ? p : target;
    }
  }

  RgbFrame frameAt(double t) {
    if (videoIndex < 0) fail("has no video stream");
    auto it = std::upper_bound(times.begin(), times.end(), t + 1e-9);
    const int64_t index = it == times.begin() ? 0 : (it - times.begin()) - 1;
    for (const RgbFrame& f : cache)
      if (f.index == index) return f;
    const int64_t target = pts[static_cast<size_t>(index)];

    bool ok = false;
    if (canContinueTo(target)) {
      ok = decodeUntil(target, false);
    }
    if (!ok) {
      for (int64_t seekTs : seekCandidates(target)) {
        seekTo(seekTs);
        if (decodeUntil(target, seekTs != std::numeric_limits<int64_t>::min())) { ok = true; break; }
      }
    }
    if (!ok) {
      reopenAtStart();
      ok = decodeUntil(target, false);
    }
    if (!ok || heldPts == kNoPts) fail("the frame at " + std::to_string(t) + " s could not be decoded");

    RgbFrame out;
    out.index = index;
    out.time = heldPts == target ? times[static_cast<size_t>(index)] : heldPts * av_q2d(videoTimeBase) - offset;
    // Non-square pixels are stretched to the shape the picture is shown in.
    const int shownW = displayWidth(held->width, av_guess_sample_aspect_ratio(fmt.get(), fmt->streams[videoIndex], held.get()));
    checkPictureSize(shownW, held->height);  // a frame may change size, an aspect ratio may be absurd
    std::vector<uint8_t> rgb(static_cast<size_t>(shownW) * held->height * 3);
    try {
      frameToRgb(*held, sws, rgb.data(), shownW, held->height);
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
    const bool swap = info.rotation == 90 || info.rotation == 270;
    out.width = swap ? held->height : shownW;
    out.height = swap ? shownW : held->height;
    out.rgb = rotateRgb(rgb, shownW, held->height, info.rotation);
    cache.push_back(out);
    if (cache.size() > kCachedFrames) cache.pop_front();
    return out;
  }

  // ---- audio ----

  void loadAudio() {
    if (audioIndex < 0) fail("has no audio stream");
    CodecContextPtr dec = openDecoder(audioIndex, "audio");
    const AVRational tb = fmt->streams[audioIndex]->time_base;
    // The video decoder's position is lost: the next frameAt seeks.
    positioned = false;
    int r = av_seek_frame(fmt.get(), -1, std::numeric_limits<int64_t>::min(), AVSEEK_FLAG_BACKWARD);
    if (r < 0) r = avformat_seek_file(fmt.get(), -1, std::numeric_limits<int64_t>::min(), 0, 0, 0);
    if (r < 0) fail("cannot seek to the start of the audio (" + ffmpegError(r) + ")");

    SwrPtr swr;
    int inRate = 0, inFormat = -1, inChannels = 0;
    int64_t inputSamples = 0;  // fed to the resampler since the start (for gap detection)
    std::vector<std::vector<float>> planes;
    std::vector<uint8_t*> planePtrs;
    bool started = false;

    auto drain = [&](const uint8_t** in, int inCount) {
      const int cap = swr_get_out_samples(swr.get(), inCount) + 32;
      for (auto& p : planes) p.resize(static_cast<size_t>(cap));
      for (size_t c = 0; c < planes.size(); ++c) planePtrs[c] = reinterpret_cast<uint8_t*>(planes[c].data());
      const int got = swr_convert(swr.get(), planePtrs.data(), cap, in, inCount);
      if (got < 0) fail("audio could not be resampled (" + ffmpegError(got) + ")");
      const float scale = 1.0f / static_cast<float>(planes.size());
      checkAudioLength(audioEnd() + got);
      if (audioRuns.empty()) audioRuns.push_back({});
      std::vector<float>& run = audioRuns.back().samples;
      for (int i = 0; i < got; ++i) {
        float sum = 0;
        for (auto& p : planes) sum += p[static_cast<size_t>(i)];
        run.push_back(sum * scale);  // mono = mean of the channels
      }
      return got;
    };
    auto flushResampler = [&] {
      if (swr)
        while (drain(nullptr, 0) > 0) {}
    };
    auto consume = [&](AVFrame* f) {
      const int64_t p = f->best_effort_timestamp != kNoPts ? f->best_effort_timestamp : f->pts;
      const double frameTime = p != kNoPts ? p * av_q2d(tb) - offset : audioStart + double(inputSamples) / std::max(1, inRate);
      // A gap of more than 10 ms in the timestamps is silence, not a splice:
      // the resampler is flushed and restarts at the frame's own time (its
      // fresh state is the silence before), in a new run.
      const bool gap = swr && p != kNoPts && llround((frameTime - audioStart) * inRate) - inputSamples > inRate / 100;
      if (!swr || gap || f->sample_rate != inRate || f->format != inFormat || f->ch_layout.nb_channels != inChannels) {
        // Each input sample becomes 48000 / rate output samples: a header
        // that says 1 Hz turns kilobytes into gigabytes. No sound is that slow.
        if (f->sample_rate < kMinAudioRate)
          fail("damaged audio: a sample rate of " + std::to_string(f->sample_rate) + " Hz (sound has at least " +
               std::to_string(kMinAudioRate) + ")");
        flushResampler();
        if (!started) audioStart = frameTime;
        else inputSamples = llround((frameTime - audioStart) * f->sample_rate);
        started = true;
        inRate = f->sample_rate;
        inFormat = f->format;
        inChannels = f->ch_layout.nb_channels;
        SwrContext* raw = nullptr;
        // Zeroed: av_channel_layout_copy first uninitialises its target, and
        // stack garbage that reads as a custom layout freed a live pointer.
        AVChannelLayout outLayout{};
        av_channel_layout_copy(&outLayout, &f->ch_layout);
        r = swr_alloc_set_opts2(&raw, &outLayout, AV_SAMPLE_FMT_FLTP, kAudioRate, &f->ch_layout,
                                static_cast<AVSampleFormat>(f->format), f->sample_rate, 0, nullptr);
        av_channel_layout_uninit(&outLayout);
        if (r < 0 || swr_init(raw) < 0) { swr_free(&raw); fail("audio could not be resampled (unsupported layout)"); }
        swr.reset(raw);
        planes.assign(static_cast<size_t>(std::max(1, inChannels)), {});
        planePtrs.assign(planes.size(), nullptr);
        // Place the first sample of a restarted stream at its own time.
        const int64_t at = llround((frameTime - audioStart) * kAudioRate);
        checkAudioLength(at);
        if (at > audioEnd()) {
          if (!audioRuns.empty() && audioRuns.back().samples.empty()) audioRuns.back().start = at;
          else audioRuns.push_back({at, {}});
        }
      }
      drain(const_cast<const uint8_t**>(f->extended_data), f->nb_samples);
      inputSamples += f->nb_samples;
    };

    FramePtr frame = makeFrame();
    // A damaged packet (e.g. the odd last byte of a 16-bit WAV whose data
    // chunk has an odd length) is skipped like ffmpeg's CLI does; the file
    // fails only when nothing at all decodes.
    int damagedPackets = 0;
    int lastError = 0;
    auto skipDamaged = [&](int error) {
      if (error == AVERROR(ENOMEM)) fail("audio could not be decoded (" + ffmpegError(error) + ")");
      ++damagedPackets, lastError = error;
      spdlog::debug("{}: skipping a damaged audio packet ({})", path, ffmpegError(error));
    };
    auto receiveAll = [&] {
      for (;;) {
        const int rr = avcodec_receive_frame(dec.get(), frame.get());
        if (rr == AVERROR(EAGAIN) || rr == AVERROR_EOF) return;
        if (rr < 0) return skipDamaged(rr);
        consume(frame.get());
        av_frame_unref(frame.get());
      }
    };
    for (;;) {
      r = av_read_frame(fmt.get(), packet.get());
      if (r < 0) break;
      if (packet->stream_index == audioIndex) {
        const int s = avcodec_send_packet(dec.get(), packet.get());
        if (s < 0 && s != AVERROR(EAGAIN)) skipDamaged(s);
        receiveAll();
      }
      av_packet_unref(packet.get());
    }
    avcodec_send_packet(dec.get(), nullptr);
    receiveAll();
    flushResampler();
    if (damagedPackets > 0 && audioEnd() == 0)
      fail("audio could not be decoded (" + std::to_string(damagedPackets) + " damaged packets, " + ffmpegError(lastError) + ")");
    if (damagedPackets > 0) spdlog::warn("{}: skipped {} damaged audio packet(s) ({})", path, damagedPackets, ffmpegError(lastError));
    audioLoaded = true;
    spdlog::debug("{}: audio decoded, {} runs ending at sample {} (48 kHz) from {:.4f} s", path, audioRuns.size(), audioEnd(), audioStart);
  }

  std::vector<float> audio(double start, double duration) {
    if (!audioLoaded) loadAudio();
    const int64_t n = std::max<int64_t>(0, llround(duration * kAudioRate));
    std::vector<float> out(static_cast<size_t>(n), 0.f);
    const int64_t first = llround((start - audioStart) * kAudioRate);
    for (const AudioRun& run : audioRuns) {  // in timeline order, not overlapping
      const int64_t from = std::max(first, run.start);
      const int64_t to = std::min(first + n, run.start + static_cast<int64_t>(run.samples.size()));
      if (to > from) std::copy(run.samples.begin() + (from - run.start), run.samples.begin() + (to - run.start), out.begin() + (from - first));
    }
    return out;
  }
};

MediaReader::MediaReader(const std::string& path) : impl_(std::make_unique<Impl>(path)) { impl_->open(); }
MediaReader::MediaReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->open(); }
std::unique_ptr<MediaReader> MediaReader::fromMemory(std::string bytes, const std::string& name) {
  auto impl = std::make_unique<Impl>(name);
  impl->memory = std::make_shared<const std::string>(std::move(bytes));
  return std::unique_ptr<MediaReader>(new MediaReader(std::move(impl)));
}
MediaReader::~MediaReader() = default;
const StreamInfo& MediaReader::info() const { return impl_->info; }
RgbFrame MediaReader::frameAt(double t) { return impl_->frameAt(t); }
std::vector<float> MediaReader::audio(double start, double duration) { return impl_->audio(start, duration); }
const std::vector<double>& MediaReader::frameTimestamps() { return impl_->times; }
int64_t MediaReader::seekCount() const { return impl_->seeks; }

}  // namespace soundspot::media
