#pragma once
// One decoded picture as packed RGB24, in displayed orientation.
#include <cstdint>
#include <vector>

namespace soundspot::media {

struct RgbFrame {
  int width = 0, height = 0;
  double time = 0;           // presentation timestamp (s)
  int64_t index = -1;        // index in MediaReader::frameTimestamps(); -1 for still images
  std::vector<uint8_t> rgb;  // width*height*3, row-major
};

}  // namespace soundspot::media
