#pragma once
// A small folder of synthetic tone-shape videos (64x48, 10 fps, 2 s each):
// quick to decode, enough for a training test to learn from.
#include "core/data/ToneShapeVideos.h"

#include <filesystem>

namespace soundspot::test {

inline void writeSmallToneVideos(const std::filesystem::path& dir, int clips) {
  data::ToneShapeOptions o;
  o.clips = clips;
  o.seconds = 2;
  o.width = 64;
  o.height = 48;
  o.fps = 10;
  data::writeToneShapeVideos(dir, o);
}

}  // namespace soundspot::test
