#include "ui/MapController.h"

#include "core/engine/Localizer.h"
#include "core/engine/MapModel.h"
#include "ui/AudioPlayer.h"
#include "ui/PictureView.h"

#include <QFileInfo>

namespace soundspot::ui {

MapController::MapController(PictureView* picture, const AudioPlayer* clock, QObject* parent)
    : QObject(parent), picture_(picture), clock_(clock) {}

MapController::~MapController() = default;

void MapController::start(const QString& media, std::shared_ptr<const engine::Soundtrack> soundtrack) {
  localizer_.reset();
  shown_ = {};
  picture_->clearMaps();
  if (media.isEmpty()) return;
  if (!QFileInfo(modelDir_ + "/card.json").exists()) {
    Q_EMIT failed(tr("No model"), tr("No AVOL-Net model in %1. Choose a model folder with Model ▸ Choose model folder… "
                                     "(the video plays without the map meanwhile).").arg(modelDir_));
    return;
  }
  try {
    auto model = std::make_unique<engine::MapModel>(modelDir_.toStdString(), device_);
    localizer_ = std::make_unique<engine::Localizer>(engine::openMediaFrames(media.toStdString()), std::move(model));
    if (soundtrack) localizer_->setSoundtrack(soundtrack);
    localizer_->setPlayhead(clock_->position(), clock_->isPlaying());
  } catch (const std::exception& e) {
    localizer_.reset();
    Q_EMIT failed(tr("Cannot load the model"), QString::fromStdString(e.what()));
  }
}

void MapController::stop() { localizer_.reset(); }

void MapController::setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack) {
  if (localizer_) localizer_->setSoundtrack(std::move(soundtrack));
}

void MapController::showAt(int64_t frame, double frameTime, double playhead) {
  if (!localizer_) return;
  // Maps are taken at the shown frame's time, and the picture is only
  // redrawn when they change: a repaint per 5 ms tick would starve playback.
  const engine::MapAt m = localizer_->mapAt(frameTime);
  const MapKey key{frame, m.valid, m.beforeTime, m.afterTime, localizer_->soundtrackGeneration()};
  if (!(key == shown_)) {
    if (m.valid) picture_->setMaps(m.before, m.after, m.blend);
    else picture_->clearMaps();
    shown_ = key;
  }
  localizer_->setPlayhead(playhead, clock_->isPlaying());
}

QString MapController::statusText(bool videoOpen) const {
  if (!localizer_) return videoOpen ? tr("No model: map off") : tr("No video");
  const engine::LocalizerStats s = localizer_->stats();
  return tr("Maps %1/s · %2 ms · every %3 frame(s) · %4")
      .arg(s.mapsPerSecond, 0, 'f', 1)
      .arg(s.latencyMs, 0, 'f', 0)
      .arg(s.stride)
      .arg(QString::fromStdString(s.device).toUpper());
}

}  // namespace soundspot::ui
