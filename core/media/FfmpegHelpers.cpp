#include "core/media/FfmpegHelpers.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>
}

namespace soundspot::media::detail {

std::string ffmpegError(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

void quietFfmpegLogs() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(spdlog::get_level() <= spdlog::level::debug ? AV_LOG_WARNING : AV_LOG_FATAL);
  });
}

FramePtr makeFrame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw std::bad_alloc();
  return f;
}

PacketPtr makePacket() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw std::bad_alloc();
  return p;
}

namespace {
// The deprecated yuvj* formats mean "full range"; swscale wants the plain
// format plus a range flag.
AVPixelFormat withoutJpegRange(AVPixelFormat f, bool& fullRange) {
  switch (f) {
    case AV_PIX_FMT_YUVJ420P: fullRange = true; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: fullRange = true; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: fullRange = true; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: fullRange = true; return AV_PIX_FMT_YUV440P;
    default: return f;
  }
}

int swsColorspace(AVColorSpace cs) {
  switch (cs) {
    case AVCOL_SPC_BT709: return SWS_CS_ITU709;
    case AVCOL_SPC_FCC: return SWS_CS_FCC;
    case AVCOL_SPC_SMPTE240M: return SWS_CS_SMPTE240M;
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL: return SWS_CS_BT2020;
    default: return SWS_CS_ITU601;  // also what untagged SD material uses
  }
}
}  // namespace

// Chroma is interpolated (full horizontal chroma, bicubic, accurate rounding):
// FFmpeg CLI's default conversion repeats chroma samples, which smears colour
// edges; bicubic came closest to the RGB source of a 4:2:0 encode (README,
// Media). The same call scales to a displayed or network size.
void frameToRgb(const AVFrame& frame, SwsPtr& sws, uint8_t* rgbOut, int outW, int outH) {
  if (outW <= 0) outW = frame.width;
  if (outH <= 0) outH = frame.height;
  bool fullRange = frame.color_range == AVCOL_RANGE_JPEG;
  const AVPixelFormat src = withoutJpegRange(static_cast<AVPixelFormat>(frame.format), fullRange);
  sws.reset(sws_getCachedContext(sws.release(), frame.width, frame.height, src, outW, outH,
                                 AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT,
                                 nullptr, nullptr, nullptr));
  if (!sws) throw std::runtime_error("unsupported pixel format " + std::string(av_get_pix_fmt_name(src) ? av_get_pix_fmt_name(src) : "?"));
  const bool isYuv = !(av_pix_fmt_desc_get(src)->flags & AV_PIX_FMT_FLAG_RGB) &&
                     av_pix_fmt_desc_get(src)->nb_components >= 3;
  if (isYuv) {
    const int* coeffs = sws_getCoefficients(swsColorspace(frame.colorspace));
    sws_setColorspaceDetails(sws.get(), coeffs, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                             0, 1 << 16, 1 << 16);
  }
  uint8_t* dst[4] = {rgbOut, nullptr, nullptr, nullptr};
  int dstStride[4] = {outW * 3, 0, 0, 0};
  sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, dst, dstStride);
}

}  // namespace soundspot::media::detail
