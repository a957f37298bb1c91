#pragma once
// Plays the open video against the audio clock: owns the MediaReader and the
// AudioPlayer (whose position is the clock), and on a 5 ms tick shows the
// frame whose period holds the clock, measuring how late it was (SyncStats).
#include "ui/SyncStats.h"

#include <QObject>
#include <QSize>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <memory>
#include <vector>

namespace soundspot::media {
class MediaReader;
}

namespace soundspot::ui {

class AudioPlayer;
class PictureView;

class PlaybackController : public QObject {
  Q_OBJECT
 public:
  PlaybackController(PictureView* picture, QObject* parent);
  ~PlaybackController() override;

  // Plays `reader`'s video from here on, paused at its start; `path` is absolute.
  void setMedia(std::unique_ptr<media::MediaReader> reader, const QString& path);
  bool hasMedia() const { return reader_ != nullptr; }
  const QString& mediaPath() const { return mediaPath_; }
  double duration() const { return duration_; }
  double fps() const { return fps_; }
  int64_t frameCount() const { return static_cast<int64_t>(times_.size()); }
  QSize frameSize() const;
  // Presentation time of the frame on screen (the first frame's before any is shown).
  double shownFrameTime() const;
  AudioPlayer* player() const { return player_; }

  void play();
  void pause();
  void togglePlay();
  void seek(double seconds);
  void stepFrames(int frames);
  void showFrameAt(double t);
  double position() const;
  bool isPlaying() const;
  // A previewed second of sound is heard alone: playback pauses for it and
  // goes on after it, unless the user played or paused meanwhile.
  void pauseForPreview();
  void resumeAfterPreview();
  const SyncStats& syncStats() const { return sync_; }
  // Before the window is torn down: no tick may run into half-deleted parts.
  void stopTicking() { tick_.stop(); }

 Q_SIGNALS:
  void playStateChanged();  // after each play() and pause()
  // A tick, seek or step showed frame `index` (pts `frameTime`) with the clock at `clock`.
  void frameShown(qint64 index, double frameTime, double clock);
  void failed(const QString& title, const QString& message);

 private:
  void tick();
  int64_t frameIndexAt(double t) const;

  PictureView* picture_;
  AudioPlayer* player_;
  QTimer tick_;
  std::unique_ptr<media::MediaReader> reader_;
  QString mediaPath_;
  std::vector<double> times_;
  double duration_ = 0, fps_ = 25;
  int64_t shownIndex_ = -1;
  bool resumeAfterPreview_ = false;
  SyncStats sync_;
};

}  // namespace soundspot::ui
