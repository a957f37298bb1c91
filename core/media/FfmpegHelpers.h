#pragma once
// Small RAII and error helpers shared by the FFmpeg-based media code (not a
// public interface: only core/media includes it).
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace soundspot::media::detail {

// FFmpeg's message for an error code, e.g. "Invalid data found when processing input".
std::string ffmpegError(int code);

// Silences FFmpeg's own stderr chatter once per process (our errors name the
// file and the problem instead); SOUNDSPOT_LOG=debug re-enables it.
void quietFfmpegLogs();

struct FormatInputDeleter { void operator()(AVFormatContext* c) const { avformat_close_input(&c); } };
struct CodecContextDeleter { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct FrameDeleter { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct PacketDeleter { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct SwsDeleter { void operator()(SwsContext* c) const { sws_freeContext(c); } };
struct SwrDeleter { void operator()(SwrContext* c) const { swr_free(&c); } };

using FormatInputPtr = std::unique_ptr<AVFormatContext, FormatInputDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

FramePtr makeFrame();
PacketPtr makePacket();

// Converts any decoded picture to packed RGB24 of the same size, honouring
// the frame's colour matrix and range. `sws` is reused between calls.
// Packed RGB24 of outW x outH (default: the frame's own size; another width
// stretches non-square pixels to their displayed shape).
void frameToRgb(const AVFrame& frame, SwsPtr& sws, uint8_t* rgbOut, int outW = 0, int outH = 0);

}  // namespace soundspot::media::detail
