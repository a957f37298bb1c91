#include "ui/StatusReadout.h"

#include "ui/MapController.h"
#include "ui/PlaybackController.h"

#include <QLabel>
#include <QStatusBar>

#include <algorithm>
#include <cmath>

namespace soundspot::ui {
namespace {

QString formatTime(double s) {
  const int total = static_cast<int>(std::max(0.0, s));
  return QString("%1:%2.%3")
      .arg(total / 60)
      .arg(total % 60, 2, 10, QChar('0'))
      .arg(static_cast<int>((s - std::floor(s)) * 10), 1, 10, QChar('0'));
}

}  // namespace

StatusReadout::StatusReadout(QStatusBar* bar, const PlaybackController* playback, const MapController* maps, QObject* parent)
    : QObject(parent), playback_(playback), maps_(maps), time_(new QLabel(bar)), inference_(new QLabel(bar)),
      sync_(new QLabel(bar)) {
  bar->addWidget(time_);
  bar->addPermanentWidget(sync_);
  bar->addPermanentWidget(inference_);
  timer_.setInterval(500);
  connect(&timer_, &QTimer::timeout, this, &StatusReadout::refresh);
  timer_.start();
}

void StatusReadout::refresh() {
  time_->setText(playback_->hasMedia()
                     ? QString("%1 / %2").arg(formatTime(playback_->position()), formatTime(playback_->duration()))
                     : tr("Open a video (Ctrl+O) or drop one here"));
  inference_->setText(maps_->statusText(playback_->hasMedia()));
  const SyncStats& sync = playback_->syncStats();
  if (sync.samples > 0) sync_->setText(tr("A/V lag max %1 ms").arg(sync.maxLagSeconds * 1000, 0, 'f', 0));
}

}  // namespace soundspot::ui
