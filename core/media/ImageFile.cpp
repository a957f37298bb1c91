#include "core/media/ImageFile.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/media/FfmpegHelpers.h"

#include <cstring>
#include <string>

namespace soundspot::media {

using namespace detail;

namespace {

CodecContextPtr openCodec(const AVCodec* codec, const std::function<void(AVCodecContext*)>& setup,
                          const std::string& subject) {
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw std::bad_alloc();
  setup(ctx.get());
  const int r = avcodec_open2(ctx.get(), codec, nullptr);
  if (r < 0) throw Error(subject, std::string("cannot open the ") + codec->name + " codec (" + ffmpegError(r) + ")");
  return ctx;
}

bool startsWith(const std::string& bytes, const char* magic, size_t n) {
  return bytes.size() >= n && std::memcmp(bytes.data(), magic, n) == 0;
}

}  // namespace

void writePng(const std::filesystem::path& path, const RgbFrame& frame) {
  quietFfmpegLogs();
  const std::string subject = path.string();
  if (frame.width <= 0 || frame.height <= 0 ||
      frame.rgb.size() != static_cast<size_t>(frame.width) * frame.height * 3)
    throw Error(subject, "cannot write an empty or inconsistent frame as PNG");
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!codec) throw Error(subject, "this FFmpeg build has no PNG encoder");
  CodecContextPtr ctx = openCodec(codec, [&](AVCodecContext* c) {
    c->width = frame.width;
    c->height = frame.height;
    c->pix_fmt = AV_PIX_FMT_RGB24;
    c->time_base = AVRational{1, 1};
  }, subject);
  FramePtr f = makeFrame();
  f->format = AV_PIX_FMT_RGB24;
  f->width = frame.width;
  f->height = frame.height;
  if (av_frame_get_buffer(f.get(), 0) < 0) throw std::bad_alloc();
  for (int y = 0; y < frame.height; ++y)
    std::memcpy(f->data[0] + static_cast<size_t>(y) * f->linesize[0], frame.rgb.data() + static_cast<size_t>(y) * frame.width * 3,
                static_cast<size_t>(frame.width) * 3);
  std::string bytes;
  PacketPtr pkt = makePacket();
  auto collect = [&] {
    for (;;) {
      const int r = avcodec_receive_packet(ctx.get(), pkt.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
      if (r < 0) throw Error(subject, "PNG encoding failed (" + ffmpegError(r) + ")");
      bytes.append(reinterpret_cast<const char*>(pkt->data), static_cast<size_t>(pkt->size));
      av_packet_unref(pkt.get());
    }
  };
  int r = avcodec_send_frame(ctx.get(), f.get());
  if (r < 0) throw Error(subject, "PNG encoding failed (" + ffmpegError(r) + ")");
  collect();
  avcodec_send_frame(ctx.get(), nullptr);
  collect();
  writeFileAtomically(path, bytes);
}

RgbFrame readImage(const std::filesystem::path& path) {
  quietFfmpegLogs();
  const std::string subject = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(subject, "file not found");
  const std::string bytes = readFile(path);
  AVCodecID id = AV_CODEC_ID_NONE;
  if (startsWith(bytes, "\x89PNG\r\n\x1a\n", 8)) id = AV_CODEC_ID_PNG;
  else if (startsWith(bytes, "\xff\xd8\xff", 3)) id = AV_CODEC_ID_MJPEG;
  else throw Error(subject, "not a PNG or JPEG image");
  const AVCodec* codec = avcodec_find_decoder(id);
  if (!codec) throw Error(subject, std::string("this FFmpeg build cannot decode ") + avcodec_get_name(id));
  CodecContextPtr ctx = openCodec(codec, [](AVCodecContext*) {}, subject);

  PacketPtr pkt = makePacket();
  if (av_new_packet(pkt.get(), static_cast<int>(bytes.size())) < 0) throw std::bad_alloc();
  std::memcpy(pkt->data, bytes.data(), bytes.size());
  pkt->flags |= AV_PKT_FLAG_KEY;
  FramePtr f = makeFrame();
  int r = avcodec_send_packet(ctx.get(), pkt.get());
  if (r >= 0) {
    avcodec_send_packet(ctx.get(), nullptr);
    r = avcodec_receive_frame(ctx.get(), f.get());
  }
  if (r < 0 || f->width <= 0 || f->height <= 0) throw Error(subject, "damaged image (" + ffmpegError(r) + ")");
  // Decoders conceal damage; a truncated file still has to be reported.
  if (f->decode_error_flags != 0 || (f->flags & AV_FRAME_FLAG_CORRUPT)) throw Error(subject, "damaged or truncated image");

  RgbFrame out;
  out.width = f->width;
  out.height = f->height;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  SwsPtr sws;
  try {
    frameToRgb(*f, sws, out.rgb.data());
  } catch (const std::runtime_error& e) {
    throw Error(subject, e.what());
  }
  return out;
}

}  // namespace soundspot::media
