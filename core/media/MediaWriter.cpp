#include "core/media/MediaWriter.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/media/FfmpegHelpers.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <vector>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/opt.h>
}

namespace soundspot::media {

using namespace detail;

namespace {
// Fine enough for any common rate (24, 25, 30000/1001, 60...) and for
// arbitrary variable-rate timestamps.
constexpr AVRational kVideoTimeBase{1, 90000};
}  // namespace

struct MediaWriter::Impl {
  std::string path;
  std::filesystem::path tmp;
  int width, height, encW, encH;
  double fps;
  int sampleRate;
  AVFormatContext* out = nullptr;
  CodecContextPtr video, audio;
  AVStream* videoStream = nullptr;
  AVStream* audioStream = nullptr;
  SwsPtr sws;
  FramePtr yuv = makeFrame(), pcm = makeFrame();
  PacketPtr packet = makePacket();
  int64_t framesAdded = 0, lastPts = -1, audioPts = 0;
  std::vector<float> pendingAudio;
  std::vector<uint8_t> padded;
  bool finished = false, headerWritten = false;
  int rotation = 0;
  AVRational sampleAspect{1, 1};

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path, problem); }
  void check(int r, const char* what) const {
    if (r < 0) fail(std::string(what) + " failed (" + ffmpegError(r) + ")");
  }

  Impl(std::string p, int w, int h, double rate, int sr, int crf)
      : path(std::move(p)), width(w), height(h), encW(w + (w & 1)), encH(h + (h & 1)), fps(rate), sampleRate(sr) {
    quietFfmpegLogs();
    if (w <= 0 || h <= 0) fail("invalid frame size " + std::to_string(w) + "x" + std::to_string(h));
    if (!(rate > 0)) fail("invalid frame rate " + std::to_string(rate));
    tmp = temporarySibling(path);
    try {
      open(crf);
    } catch (...) {
      release();
      throw;
    }
  }

  void open(int crf) {
    check(avformat_alloc_output_context2(&out, nullptr, "mp4", tmp.c_str()), "creating the mp4 muxer");

    const AVCodec* h264 = avcodec_find_encoder_by_name("libx264");
    if (!h264) fail("this FFmpeg build has no libx264 encoder");
    video.reset(avcodec_alloc_context3(h264));
    video->width = encW;
    video->height = encH;
    video->pix_fmt = AV_PIX_FMT_YUV420P;
    video->time_base = kVideoTimeBase;
    video->framerate = av_d2q(fps, 100000);
    video->gop_size = std::max(1, static_cast<int>(std::lround(2 * fps)));  // a keyframe every 2 s keeps seeks cheap
    video->colorspace = AVCOL_SPC_SMPTE170M;  // what swscale's RGB->YUV uses
    video->color_range = AVCOL_RANGE_MPEG;
    if (out->oformat->flags & AVFMT_GLOBALHEADER) video->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(video->priv_data, "preset", "veryfast", 0);
    av_opt_set(video->priv_data, "crf", std::to_string(crf).c_str(), 0);
    check(avcodec_open2(video.get(), h264, nullptr), "opening the H.264 encoder");
    videoStream = avformat_new_stream(out, nullptr);
    videoStream->time_base = kVideoTimeBase;
    videoStream->avg_frame_rate = video->framerate;
    check(avcodec_parameters_from_context(videoStream->codecpar, video.get()), "setting the video stream");

    if (sampleRate > 0) {
      const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
      if (!aac) fail("this FFmpeg build has no AAC encoder");
      audio.reset(avcodec_alloc_context3(aac));
      audio->sample_fmt = AV_SAMPLE_FMT_FLTP;
      audio->sample_rate = sampleRate;
      av_channel_layout_default(&audio->ch_layout, 1);
      audio->bit_rate = 128000;
      audio->time_base = AVRational{1, sampleRate};
      if (out->oformat->flags & AVFMT_GLOBALHEADER) audio->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
      check(avcodec_open2(audio.get(), aac, nullptr), "opening the AAC encoder");
      audioStream = avformat_new_stream(out, nullptr);
      audioStream->time_base = audio->time_base;
      check(avcodec_parameters_from_context(audioStream->codecpar, audio.get()), "setting the audio stream");
    }

    check(avio_open(&out->pb, tmp.c_str(), AVIO_FLAG_WRITE), "creating the file");

    yuv->format = AV_PIX_FMT_YUV420P;
    yuv->width = encW;
    yuv->height = encH;
    check(av_frame_get_buffer(yuv.get(), 0), "allocating a frame");
    sws.reset(sws_getContext(encW, encH, AV_PIX_FMT_RGB24, encW, encH, AV_PIX_FMT_YUV420P,
                             SWS_BILINEAR | SWS_ACCURATE_RND, nullptr, nullptr, nullptr));
    if (!sws) fail("cannot convert RGB to YUV");
  }

  // Written on the first frame so that setRotation() can still add side data.
  void writeHeaderOnce() {
    if (headerWritten) return;
    if (rotation != 0) {
      auto* m = reinterpret_cast<int32_t*>(av_stream_new_side_data(videoStream, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t)));
      if (!m) throw std::bad_alloc();
      av_display_rotation_set(m, rotation);  // read back as -rotation (FFmpeg: counter-clockwise), shown clockwise
    }
    if (sampleAspect.num != sampleAspect.den) {
      videoStream->sample_aspect_ratio = sampleAspect;  // written as the mp4 'pasp' box
      videoStream->codecpar->sample_aspect_ratio = sampleAspect;
    }
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    const int r = avformat_write_header(out, &opts);
    av_dict_free(&opts);
    check(r, "writing the mp4 header");
    headerWritten = true;
  }

  // Sends one frame (or nullptr to flush) and writes every packet it yields.
  void encode(AVCodecContext* enc, AVStream* st, AVFrame* frame) {
    check(avcodec_send_frame(enc, frame), "encoding");
    for (;;) {
      const int r = avcodec_receive_packet(enc, packet.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      check(r, "encoding");
      av_packet_rescale_ts(packet.get(), enc->time_base, st->time_base);
      packet->stream_index = st->index;
      check(av_interleaved_write_frame(out, packet.get()), "writing");
    }
  }

  void addFrame(const uint8_t* rgb, int64_t pts) {
    if (finished) fail("frame added after finish()");
    if (pts <= lastPts) fail("frame timestamps must increase");
    lastPts = pts;
    writeHeaderOnce();
    const uint8_t* src = rgb;
    if (encW != width || encH != height) {
      // Pad to even by repeating the last column and row.
      padded.resize(static_cast<size_t>(encW) * encH * 3);
      for (int y = 0; y < encH; ++y) {
        const uint8_t* row = rgb + static_cast<size_t>(std::min(y, height - 1)) * width * 3;
        uint8_t* dst = padded.data() + static_cast<size_t>(y) * encW * 3;
        std::memcpy(dst, row, static_cast<size_t>(width) * 3);
        if (encW != width) std::memcpy(dst + width * 3, row + (width - 1) * 3, 3);
      }
      src = padded.data();
    }
    check(av_frame_make_writable(yuv.get()), "allocating a frame");
    const uint8_t* srcPlanes[4] = {src, nullptr, nullptr, nullptr};
    const int srcStride[4] = {encW * 3, 0, 0, 0};
    sws_scale(sws.get(), srcPlanes, srcStride, 0, encH, yuv->data, yuv->linesize);
    yuv->pts = pts;
    encode(video.get(), videoStream, yuv.get());
    ++framesAdded;
  }

  void encodeAudioFrames(bool final) {
    if (!audio) return;
    writeHeaderOnce();
    const size_t frameSize = audio->frame_size > 0 ? static_cast<size_t>(audio->frame_size) : 1024;
    size_t used = 0;
    while (pendingAudio.size() - used >= frameSize || (final && pendingAudio.size() > used)) {
      const size_t n = std::min(frameSize, pendingAudio.size() - used);
      av_frame_unref(pcm.get());
      pcm->format = AV_SAMPLE_FMT_FLTP;
      pcm->sample_rate = sampleRate;
      av_channel_layout_default(&pcm->ch_layout, 1);
      pcm->nb_samples = static_cast<int>(n);
      check(av_frame_get_buffer(pcm.get(), 0), "allocating audio");
      std::memcpy(pcm->data[0], pendingAudio.data() + used, n * sizeof(float));
      pcm->pts = audioPts;
      audioPts += static_cast<int64_t>(n);
      encode(audio.get(), audioStream, pcm.get());
      used += n;
    }
    pendingAudio.erase(pendingAudio.begin(), pendingAudio.begin() + static_cast<std::ptrdiff_t>(used));
  }

  void finish() {
    if (finished) return;
    if (framesAdded == 0) fail("no video frames were added");
    encode(video.get(), videoStream, nullptr);
    encodeAudioFrames(true);
    if (audio) encode(audio.get(), audioStream, nullptr);
    check(av_write_trailer(out), "finishing the mp4");
    check(avio_closep(&out->pb), "closing the file");
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) fail("cannot be written (" + ec.message() + ")");
    finished = true;
    release();
  }

  void release() {
    video.reset();
    audio.reset();
    if (out) {
      if (out->pb) avio_closep(&out->pb);
      avformat_free_context(out);
      out = nullptr;
    }
    if (!finished) {
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
    }
  }
};

MediaWriter::MediaWriter(const std::string& path, int width, int height, double fps, int audioSampleRate, int crf)
    : impl_(std::make_unique<Impl>(path, width, height, fps, audioSampleRate, crf)) {}

MediaWriter::~MediaWriter() {
  if (impl_ && !impl_->finished) impl_->release();
}

void MediaWriter::addFrame(const uint8_t* rgb) {
  impl_->addFrame(rgb, static_cast<int64_t>(std::llround(impl_->framesAdded * kVideoTimeBase.den / impl_->fps)));
}

void MediaWriter::addFrame(const uint8_t* rgb, double ptsSeconds) {
  impl_->addFrame(rgb, static_cast<int64_t>(std::llround(ptsSeconds * kVideoTimeBase.den)));
}

void MediaWriter::addAudio(const float* mono, size_t count) {
  if (!impl_->audio) throw Error(impl_->path, "audio added to a writer without an audio stream");
  impl_->pendingAudio.insert(impl_->pendingAudio.end(), mono, mono + count);
  impl_->encodeAudioFrames(false);
}

void MediaWriter::setRotation(int degreesClockwise) {
  if (impl_->headerWritten) throw Error(impl_->path, "the rotation must be set before the first frame");
  const int r = ((degreesClockwise % 360) + 360) % 360;
  if (r % 90 != 0) throw Error(impl_->path, "rotation must be a multiple of 90 degrees");
  impl_->rotation = r;
}

void MediaWriter::setSampleAspectRatio(int num, int den) {
  if (impl_->headerWritten) throw Error(impl_->path, "the pixel aspect ratio must be set before the first frame");
  if (num <= 0 || den <= 0) throw Error(impl_->path, "the pixel aspect ratio must be positive");
  impl_->sampleAspect = AVRational{num, den};
}

void MediaWriter::finish() { impl_->finish(); }
int MediaWriter::encodedWidth() const { return impl_->encW; }
int MediaWriter::encodedHeight() const { return impl_->encH; }

}  // namespace soundspot::media
