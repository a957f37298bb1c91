#include "ui/RetrievalDock.h"

#include "ui/AudioSwap.h"
#include "ui/MapController.h"
#include "ui/PictureGeometry.h"
#include "ui/PlaybackController.h"
#include "ui/RetrievalPanel.h"

#include <QAction>
#include <QMainWindow>
#include <QMouseEvent>

namespace soundspot::ui {

RetrievalDock::RetrievalDock(PlaybackController* playback, const AudioSwap* audio, const MapController* maps,
                             QWidget* picture, QMainWindow* window)
    : QDockWidget(tr("Retrieval"), window), playback_(playback), picture_(picture), panel_(new RetrievalPanel(this)) {
  setObjectName("retrievalDock");  // saveState() knows it by this name
  setWidget(panel_);
  setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
  window->addDockWidget(Qt::RightDockWidgetArea, this);
  hide();

  QAction* toggle = toggleViewAction();
  toggle->setText(tr("&Retrieval panel"));
  toggle->setShortcut(QKeySequence(tr("Ctrl+F")));
  toggle->setToolTip(tr("Cross-modal retrieval: query an index with the current frame or second of sound (Ctrl+F)"));

  panel_->setContextProvider([playback, audio, maps] {
    QueryContext c;
    if (!playback->hasMedia()) return c;
    c.media = playback->mediaPath();
    c.frameTime = playback->shownFrameTime();
    c.audioTime = playback->position();
    c.soundtrack = audio->active();
    c.modelDir = maps->modelDir();
    return c;
  });
  connect(panel_, &RetrievalPanel::previewStarted, playback_, &PlaybackController::pauseForPreview);
  connect(panel_, &RetrievalPanel::previewFinished, playback_, &PlaybackController::resumeAfterPreview);
  picture_->installEventFilter(this);
}

RetrievalDock::~RetrievalDock() {
  if (picture_) picture_->removeEventFilter(this);
}

void RetrievalDock::showPanel() {
  show();
  raise();
}

void RetrievalDock::queryRegionAt(QPointF framePoint) {
  showPanel();
  panel_->queryRegion(framePoint);
}

bool RetrievalDock::eventFilter(QObject* watched, QEvent* event) {
  if (watched == picture_ && event->type() == QEvent::MouseButtonPress && playback_->hasMedia()) {
    auto* m = static_cast<QMouseEvent*>(event);
    const bool wanted =
        m->button() == Qt::LeftButton && ((m->modifiers() & Qt::ControlModifier) || panel_->regionQueryMode());
    if (wanted) {
      if (const auto p = framePointAt(picture_->size(), playback_->frameSize(), viewMode_, m->position())) {
        queryRegionAt(*p);
        return true;
      }
    }
  }
  return QDockWidget::eventFilter(watched, event);
}

}  // namespace soundspot::ui
