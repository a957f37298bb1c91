#include "ui/PlaybackController.h"

#include "core/media/MediaReader.h"
#include "ui/AudioPlayer.h"
#include "ui/PictureView.h"

#include <QImage>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

namespace soundspot::ui {

PlaybackController::PlaybackController(PictureView* picture, QObject* parent)
    : QObject(parent), picture_(picture), player_(new AudioPlayer(this)) {
  tick_.setTimerType(Qt::PreciseTimer);
  tick_.setInterval(5);
  connect(&tick_, &QTimer::timeout, this, &PlaybackController::tick);
  tick_.start();
}

PlaybackController::~PlaybackController() {
  tick_.stop();
  // Deleting the audio sink runs queued events (Qt Multimedia 6.4): do it
  // while the reader and the rest of this are still whole.
  delete player_;
  player_ = nullptr;
}

void PlaybackController::setMedia(std::unique_ptr<media::MediaReader> reader, const QString& path) {
  reader_ = std::move(reader);
  mediaPath_ = path;
  times_ = reader_->frameTimestamps();
  fps_ = reader_->info().frameRate > 0 ? reader_->info().frameRate : 25;
  duration_ = std::max(reader_->info().duration, times_.back() + 1.0 / fps_);
  shownIndex_ = -1;
  sync_ = {};
  player_->seek(0);
}

QSize PlaybackController::frameSize() const {
  return reader_ ? QSize(reader_->info().width, reader_->info().height) : QSize();
}

double PlaybackController::shownFrameTime() const {
  return shownIndex_ >= 0 ? times_[static_cast<size_t>(shownIndex_)] : times_.front();
}

void PlaybackController::play() {
  if (!reader_) return;
  if (position() >= duration_ - 1e-3) player_->seek(0);
  player_->play();
  Q_EMIT playStateChanged();
}

void PlaybackController::pause() {
  player_->pause();
  Q_EMIT playStateChanged();
}

void PlaybackController::togglePlay() {
  resumeAfterPreview_ = false;  // the user decides now
  isPlaying() ? pause() : play();
}

bool PlaybackController::isPlaying() const { return player_->isPlaying(); }
double PlaybackController::position() const { return player_->position(); }

void PlaybackController::pauseForPreview() {
  if (!isPlaying()) return;
  pause();
  resumeAfterPreview_ = true;
}

void PlaybackController::resumeAfterPreview() {
  if (!resumeAfterPreview_) return;
  resumeAfterPreview_ = false;
  if (!isPlaying()) play();
}

void PlaybackController::seek(double seconds) {
  if (!reader_) return;
  player_->seek(std::clamp(seconds, 0.0, std::max(0.0, duration_ - 1.0 / fps_)));
  showFrameAt(position());
}

void PlaybackController::stepFrames(int frames) {
  if (!reader_) return;
  pause();
  const int64_t idx = std::clamp<int64_t>(frameIndexAt(position()) + frames, 0, static_cast<int64_t>(times_.size()) - 1);
  player_->seek(times_[idx]);
  showFrameAt(times_[idx]);
}

int64_t PlaybackController::frameIndexAt(double t) const {
  const auto it = std::upper_bound(times_.begin(), times_.end(), t + 1e-6);
  return it == times_.begin() ? 0 : static_cast<int64_t>(it - times_.begin()) - 1;
}

void PlaybackController::showFrameAt(double t) {
  if (!reader_) return;
  const int64_t idx = frameIndexAt(t);
  if (idx != shownIndex_) {
    try {
      media::RgbFrame f = reader_->frameAt(times_[idx]);
      picture_->setFrame(QImage(f.rgb.data(), f.width, f.height, f.width * 3, QImage::Format_RGB888).copy());
      shownIndex_ = idx;
    } catch (const std::exception& e) {
      pause();
      Q_EMIT failed(tr("Cannot decode"), QString::fromStdString(e.what()));
      return;
    }
  }
  Q_EMIT frameShown(shownIndex_, times_[shownIndex_], t);
}

void PlaybackController::tick() {
  if (!reader_) return;
  double t = position();
  const bool playing = isPlaying();
  if (playing && t >= duration_) {
    pause();
    player_->seek(duration_ - 1.0 / fps_);
    t = position();
  }
  showFrameAt(t);
  if (playing && shownIndex_ >= 0) {
    // The frame on screen should be the one whose period contains the audio
    // clock; the lag also counts the time it took to decode and show it.
    const double lag = position() - times_[shownIndex_];
    if (shownIndex_ != frameIndexAt(t)) sync_.wrongFrames++;
    sync_.samples++;
    sync_.sumLagSeconds += lag;
    sync_.maxLagSeconds = std::max(sync_.maxLagSeconds, std::abs(lag));
    sync_.minLagSeconds = sync_.samples == 1 ? lag : std::min(sync_.minLagSeconds, lag);
    spdlog::trace("sync: audio clock {:.4f} s, frame pts {:.4f} s, lag {:+.1f} ms", t, times_[shownIndex_], lag * 1000);
  }
}

}  // namespace soundspot::ui
