#pragma once
// View ▸ Retrieval panel (Ctrl+F): the cross-modal retrieval browser docked
// at the window's right, hidden until asked for, and its ties to the viewer:
// queries take the frame on screen and the second of audio heard now, a
// previewed second of sound pauses playback and resumes it after, and a
// Ctrl+click on the picture (a plain click in region-query mode) asks what
// that region sounds like.
#include "ui/PictureView.h"

#include <QDockWidget>
#include <QPointF>
#include <QPointer>

class QMainWindow;

namespace soundspot::ui {

class AudioSwap;
class MapController;
class PlaybackController;
class RetrievalPanel;

class RetrievalDock : public QDockWidget {
  Q_OBJECT
 public:
  // `picture`: the widget the video is drawn in (PictureView::widget()).
  RetrievalDock(PlaybackController* playback, const AudioSwap* audio, const MapController* maps, QWidget* picture,
                QMainWindow* window);
  ~RetrievalDock() override;

  RetrievalPanel* panel() const { return panel_; }
  void showPanel();
  // A region query at normalised frame coordinates.
  void queryRegionAt(QPointF framePoint);
  // How the picture lays out the frame, to find the clicked point in it.
  void setViewMode(ViewMode mode) { viewMode_ = mode; }

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  PlaybackController* playback_;
  QPointer<QWidget> picture_;  // watched for clicks
  RetrievalPanel* panel_;
  ViewMode viewMode_ = ViewMode::Overlay;
};

}  // namespace soundspot::ui
