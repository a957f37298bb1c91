#pragma once
// The status bar's read-outs, refreshed twice a second: where playback is,
// how the maps keep up (MapController::statusText) and the worst A/V lag.
#include <QObject>
#include <QTimer>

class QLabel;
class QStatusBar;

namespace soundspot::ui {

class MapController;
class PlaybackController;

class StatusReadout : public QObject {
  Q_OBJECT
 public:
  StatusReadout(QStatusBar* bar, const PlaybackController* playback, const MapController* maps, QObject* parent);

  void refresh();
  // Before the window is torn down.
  void stopRefreshing() { timer_.stop(); }

 private:
  const PlaybackController* playback_;
  const MapController* maps_;
  QLabel* time_;
  QLabel* inference_;
  QLabel* sync_;
  QTimer timer_;
};

}  // namespace soundspot::ui
