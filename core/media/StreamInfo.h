#pragma once
// The facts about a media file that `probe` reports and the readers rely on.
#include <cstdint>
#include <string>

namespace soundspot::media {

struct StreamInfo {
  std::string path;
  double duration = 0;          // seconds (container or longest stream)
  bool hasVideo = false, hasAudio = false;
  double frameRate = 0;         // average fps
  int width = 0, height = 0;    // DISPLAYED size (after rotation)
  int rotation = 0;             // display rotation in degrees clockwise (0/90/180/270)
  int64_t frameCount = 0;       // video frames actually present (demuxed)
  int audioSampleRate = 0, audioChannels = 0;
  std::string videoCodec, audioCodec, container;
};

}  // namespace soundspot::media
