#pragma once
// Small synthetic videos to try training on a plain folder: in each clip one
// coloured shape moves about and makes a tone of its own (each colour and
// shape always sounds the same), often next to a silent shape of another
// kind, over a random background. Written with FFmpeg (H.264 + AAC mp4).
// Optionally a dataset folder annotating the same files (the sounding and
// silent boxes once per second) so that pointing can be measured with
// `soundspot-cli eval`; the videos folder itself stays a plain folder.
#include "core/common/Progress.h"

#include <cstdint>
#include <filesystem>

namespace soundspot::data {

struct ToneShapeOptions {
  int clips = 24;
  double seconds = 4;
  int width = 320, height = 240;
  double fps = 25;
  uint64_t seed = 1;
  double distractorProbability = 0.75;  // a silent shape of another kind
};

// Writes DIR/tone-shapes-NNN.mp4; with truthDir also truthDir/dataset.json
// (media paths relative to truthDir). Throws Error naming the file that
// cannot be written.
void writeToneShapeVideos(const std::filesystem::path& dir, const ToneShapeOptions& options,
                          const std::filesystem::path& truthDir = {}, Progress* progress = nullptr,
                          const CancelToken* cancel = nullptr);

}  // namespace soundspot::data
