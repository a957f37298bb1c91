#pragma once
// The localization maps of the open video: the AVOL-Net model folder and the
// device it runs on, the Localizer that computes maps around the playhead,
// and drawing them on the picture (only when they change: a repaint per tick
// would starve playback).
#include "core/engine/Soundtrack.h"
#include "core/nn/Device.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

namespace soundspot::engine {
class Localizer;
}

namespace soundspot::ui {

class AudioPlayer;
class PictureView;

class MapController : public QObject {
  Q_OBJECT
 public:
  // `clock` is the playback clock the Localizer follows.
  MapController(PictureView* picture, const AudioPlayer* clock, QObject* parent);
  ~MapController() override;

  // Both take effect at the next start().
  const QString& modelDir() const { return modelDir_; }
  void setModelDir(const QString& dir) { modelDir_ = dir; }
  nn::DeviceChoice device() const { return device_; }
  void setDevice(nn::DeviceChoice device) { device_ = device; }

  // (Re)starts the maps of `media` ("": none open) listening to `soundtrack`.
  // Without a usable model the video plays without them and failed() says why.
  void start(const QString& media, std::shared_ptr<const engine::Soundtrack> soundtrack);
  void stop();
  engine::Localizer* localizer() const { return localizer_.get(); }
  void setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack);
  // Draws the maps of frame `frame` (pts `frameTime`) and moves the Localizer's playhead.
  void showAt(int64_t frame, double frameTime, double playhead);
  // Maps per second, latency, stride and device; or why there are none.
  QString statusText(bool videoOpen) const;

 Q_SIGNALS:
  void failed(const QString& title, const QString& message);

 private:
  // Which maps the picture shows.
  struct MapKey {
    int64_t frame = -1;
    bool valid = false;
    double before = -1, after = -1;
    uint64_t generation = 0;
    bool operator==(const MapKey& o) const {
      return frame == o.frame && valid == o.valid && before == o.before && after == o.after && generation == o.generation;
    }
  };

  PictureView* picture_;
  const AudioPlayer* clock_;
  std::unique_ptr<engine::Localizer> localizer_;
  MapKey shown_;
  QString modelDir_;
  nn::DeviceChoice device_ = nn::DeviceChoice::Auto;
};

}  // namespace soundspot::ui
