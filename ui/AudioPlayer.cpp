#include "ui/AudioPlayer.h"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QIODevice>
#include <QMediaDevices>

#include <spdlog/spdlog.h>

#include <mutex>

namespace soundspot::ui {

// Hands the sink samples of the soundtrack from a cursor on; the soundtrack
// can be replaced while playing.
class SoundtrackDevice : public QIODevice {
 public:
  void setSoundtrack(std::shared_ptr<const engine::Soundtrack> s) {
    std::lock_guard<std::mutex> lock(mutex_);
    soundtrack_ = std::move(s);
  }
  void reset(double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    start_ = seconds;
    pulled_ = 0;
  }
  int64_t pulledSamples() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pulled_;
  }
  bool isSequential() const override { return true; }
  qint64 bytesAvailable() const override { return 48000 * sizeof(float) + QIODevice::bytesAvailable(); }

 protected:
  qint64 readData(char* data, qint64 maxSize) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t count = static_cast<size_t>(maxSize) / sizeof(float);
    auto* out = reinterpret_cast<float*>(data);
    if (soundtrack_) soundtrack_->read(start_ + double(pulled_) / engine::kSoundtrackRate, out, count);
    else std::fill(out, out + count, 0.f);
    pulled_ += static_cast<int64_t>(count);
    return static_cast<qint64>(count * sizeof(float));
  }
  qint64 writeData(const char*, qint64) override { return -1; }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const engine::Soundtrack> soundtrack_;
  double start_ = 0;
  int64_t pulled_ = 0;
};

AudioPlayer::AudioPlayer(QObject* parent) : QObject(parent), device_(std::make_unique<SoundtrackDevice>()) {
  device_->open(QIODevice::ReadOnly);
  const QAudioDevice output = QMediaDevices::defaultAudioOutput();
  QAudioFormat format;
  format.setSampleRate(engine::kSoundtrackRate);
  format.setChannelCount(1);
  format.setSampleFormat(QAudioFormat::Float);
  if (output.isNull() || !output.isFormatSupported(format)) {
    spdlog::warn("no audio output for 48 kHz mono float: playing silently on a wall clock");
    return;
  }
  sink_ = new QAudioSink(output, format, this);
  sink_->setBufferSize(engine::kSoundtrackRate * sizeof(float) / 10);  // 100 ms: swaps are heard quickly
  hasDevice_ = true;
  applyVolume();
}

AudioPlayer::~AudioPlayer() {
  // The sink pulls from device_: it must go first (as a child it would be
  // deleted after the members). Qt's sink runs events while it is deleted.
  if (sink_) sink_->stop();
  delete sink_;
  sink_ = nullptr;
}

void AudioPlayer::setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack) {
  const double at = position();
  device_->setSoundtrack(std::move(soundtrack));
  // Drop what the sink buffered of the old soundtrack.
  if (playing_) {
    stopSink();
    startPosition_ = at;
    startSink();
  }
}

void AudioPlayer::startSink() {
  device_->reset(startPosition_);
  followingWall_ = false;
  lastPosition_ = startPosition_;
  wallClock_.start();
  if (sink_) sink_->start(device_.get());
}

void AudioPlayer::stopSink() {
  if (sink_) sink_->stop();
}

void AudioPlayer::play() {
  if (playing_) return;
  playing_ = true;
  startSink();
}

void AudioPlayer::pause() {
  if (!playing_) return;
  startPosition_ = position();
  playing_ = false;
  stopSink();
}

void AudioPlayer::seek(double seconds) {
  startPosition_ = std::max(0.0, seconds);
  if (playing_) {
    stopSink();
    startSink();
  }
}

double AudioPlayer::position() const {
  if (!playing_) return startPosition_;
  const double wall = startPosition_ + wallClock_.nsecsElapsed() * 1e-9;
  double now = wall;
  if (sink_ && sink_->state() == QAudio::ActiveState) {
    // Samples pulled by the sink minus those still waiting in its buffer.
    const int64_t buffered = (sink_->bufferSize() - sink_->bytesFree()) / static_cast<int64_t>(sizeof(float));
    const int64_t heard = std::max<int64_t>(0, device_->pulledSamples() - buffered);
    const double audioClock = startPosition_ + double(heard) / engine::kSoundtrackRate;
    // A sink that stops consuming (suspended or stalled server) must not
    // freeze the picture: past 250 ms behind real time, follow the wall clock
    // until the sound has caught up again.
    if (!followingWall_ && wall - audioClock > 0.25) {
      if (!stallReported_) spdlog::warn("audio output is not consuming samples in real time: following the wall clock");
      stallReported_ = true;
      followingWall_ = true;
    } else if (followingWall_ && audioClock >= wall - 0.005) {
      followingWall_ = false;
    }
    if (!followingWall_) now = audioClock;
  }
  // The buffered-sample estimate moves in steps as the sink pulls: never
  // let the clock step back behind a frame that is already on screen.
  lastPosition_ = std::max(lastPosition_, now);
  return lastPosition_;
}

void AudioPlayer::setVolume(float volume) {
  volume_ = std::clamp(volume, 0.f, 1.f);
  applyVolume();
}

void AudioPlayer::setMuted(bool muted) {
  muted_ = muted;
  applyVolume();
}

void AudioPlayer::applyVolume() {
  if (sink_) sink_->setVolume(muted_ ? 0.0 : volume_);
}

}  // namespace soundspot::ui
