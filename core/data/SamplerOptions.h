#pragma once
// How AvcSampler draws (frame, audio) pairs from a dataset folder. Kept free
// of torch so that the CLI and UI can fill it in cheaply.
#include <cstdint>

namespace soundspot::data {

struct SamplerOptions {
  // The paper's fix for the low-level shortcut: every audio window, positive
  // or negative, is centred on a video frame timestamp of its source clip.
  // false (ablation): negative audio is centred at an arbitrary sample offset.
  bool frameGridFix = true;
  // Random misalignment of the positive audio by up to this many seconds
  // (L3-Net's training); 0 = audio centred exactly on the frame.
  double misalignSeconds = 0;
  // Image: random crop (scale jitter), horizontal flip, brightness and
  // saturation jitter. Audio: gain jitter on the waveform.
  bool augment = true;
  // Decoding and batch-assembly threads.
  int threads = 2;
  // Memory bound of the clip cache: at most this many frames (224x224 RGB,
  // 150 KB each) are kept per clip, spread evenly over its frame grid.
  int maxFramesPerClip = 32;
};

}  // namespace soundspot::data
