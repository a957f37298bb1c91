#pragma once
// How far the shown frame was from the audio clock while playing
// (PlaybackController measures it on every tick; tests and the status bar read it).
#include <cstdint>

namespace soundspot::ui {

struct SyncStats {
  int64_t samples = 0;
  double maxLagSeconds = 0;   // |clock - pts of the shown frame|, worst case
  double minLagSeconds = 0;   // < 0: a frame was shown before its time
  double sumLagSeconds = 0;
  int64_t wrongFrames = 0;    // ticks that showed another frame than the one the clock was in
  double meanLag() const { return samples ? sumLagSeconds / samples : 0; }
};

}  // namespace soundspot::ui
