#pragma once
// Writes an H.264 (libx264, yuv420p) + AAC mp4 with the index at the front
// (faststart), from RGB frames and mono float audio. The file is written to a
// temporary sibling and renamed over `path` by finish(); destroying a writer
// that was not finished removes the temporary, so no half-written file is ever
// left behind.
//
// Odd frame sizes: yuv420p needs even sizes, so the picture is padded by
// repeating its last column/row; the file's size is rounded up to even.
// audioSampleRate <= 0 writes a file without an audio stream.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace soundspot::media {

class MediaWriter {
 public:
  MediaWriter(const std::string& path, int width, int height, double fps, int audioSampleRate = 48000, int crf = 20);
  ~MediaWriter();
  MediaWriter(const MediaWriter&) = delete;
  MediaWriter& operator=(const MediaWriter&) = delete;

  // Frames at the constant rate fps (frame k at k/fps s).
  void addFrame(const uint8_t* rgb);  // width*height*3
  // A frame at an explicit time (variable frame rate); times must increase.
  void addFrame(const uint8_t* rgb, double ptsSeconds);
  void addAudio(const float* mono, size_t count);  // at audioSampleRate
  // Tags the video to be shown rotated clockwise by 0/90/180/270 degrees
  // (display matrix; the pixels are stored as given). Before the first frame.
  void setRotation(int degreesClockwise);
  // Tags non-square pixels (e.g. 2:1 shows each stored pixel twice as wide;
  // anamorphic DV is 64:45). Before the first frame.
  void setSampleAspectRatio(int num, int den);
  void finish();

  int encodedWidth() const;   // width rounded up to even
  int encodedHeight() const;  // height rounded up to even

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace soundspot::media
