#pragma once
// Plays the active soundtrack through Qt Multimedia (QAudioSink, pull mode,
// 48 kHz mono float) and is the playback clock: position() is the video time
// being heard now (samples handed to the sink minus those still buffered).
// Without an audio device it falls back to a wall clock, so playback works
// silently.
#include "core/engine/Soundtrack.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>

class QAudioSink;

namespace soundspot::ui {

class SoundtrackDevice;

class AudioPlayer : public QObject {
  Q_OBJECT
 public:
  explicit AudioPlayer(QObject* parent = nullptr);
  ~AudioPlayer() override;

  // Replaces what is heard, keeping the position.
  void setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack);
  void play();
  void pause();
  void seek(double seconds);
  bool isPlaying() const { return playing_; }
  double position() const;
  void setVolume(float volume);  // 0..1, linear
  void setMuted(bool muted);
  bool muted() const { return muted_; }
  float volume() const { return volume_; }
  bool hasAudioDevice() const { return hasDevice_; }

 private:
  void startSink();
  void stopSink();
  void applyVolume();

  std::unique_ptr<SoundtrackDevice> device_;
  QAudioSink* sink_ = nullptr;
  bool hasDevice_ = false;
  bool playing_ = false;
  double startPosition_ = 0;  // video time where the sink (or wall clock) started
  QElapsedTimer wallClock_;
  float volume_ = 0.8f;
  bool muted_ = false;
  mutable bool stallReported_ = false;
  // Once a started sink falls behind real time, the clock follows the wall
  // until the sound catches up: switching back earlier would jump backwards.
  mutable bool followingWall_ = false;
  mutable double lastPosition_ = 0;  // the clock never runs backwards while playing
};

}  // namespace soundspot::ui
