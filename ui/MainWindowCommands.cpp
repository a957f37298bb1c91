// MainWindow's commands: opening a video, swapping its audio, choosing the
// model and device, exporting, and the training and retrieval entry points.
// Each coordinates the parts built and wired in MainWindow.cpp.
#include "ui/MainWindow.h"

#include "core/common/Error.h"
#include "core/engine/OverlayExport.h"
#include "core/media/MediaReader.h"
#include "ui/AudioPanel.h"
#include "ui/AudioPlayer.h"
#include "ui/AudioSwap.h"
#include "ui/FileDialogs.h"
#include "ui/MapController.h"
#include "ui/ModelCardSummary.h"
#include "ui/OverlayExportDialog.h"
#include "ui/PlaybackController.h"
#include "ui/RecentFilesMenu.h"
#include "ui/RetrievalDock.h"
#include "ui/RetrievalPanel.h"
#include "ui/StatusReadout.h"
#include "ui/Timeline.h"
#include "ui/TrainingDialog.h"
#include "ui/ViewerActions.h"
#include "ui/ViewerSettings.h"

#include <QAction>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>

#include <spdlog/spdlog.h>

#include <memory>

namespace soundspot::ui {

bool MainWindow::openMedia(const QString& path, bool audioFollows) {
  std::unique_ptr<media::MediaReader> reader;
  std::shared_ptr<engine::Soundtrack> ownAudio;
  try {
    reader = std::make_unique<media::MediaReader>(path.toStdString());
    if (!reader->info().hasVideo) throw Error(path.toStdString(), "has no video track to show");
    if (reader->frameTimestamps().empty()) throw Error(path.toStdString(), "has no video frames");
    ownAudio = AudioSwap::originalOf(*reader, path);
  } catch (const std::exception& e) {
    showError(tr("Cannot open file"), QString::fromStdString(e.what()));
    return false;
  }
  pause();
  maps_->stop();
  playback_->setMedia(std::move(reader), QFileInfo(path).absoluteFilePath());
  const double duration = playback_->duration();
  timeline_->setDuration(duration);
  audioPanel_->setVideoDuration(duration);
  setWindowTitle(tr("%1 — SoundSpot").arg(QFileInfo(path).fileName()));
  recent_->add(path);
  if (!ownAudio) {
    // Silence keeps the clock and the maps working; the user can swap audio in.
    ownAudio = AudioSwap::silence(duration);
    const QString name = QFileInfo(path).fileName();
    if (playback_->frameCount() == 1) {
      // A still picture never has sound: a hint, not a warning.
      if (!audioFollows)
        statusBar()->showMessage(tr("%1 is a picture: swap in a clip's audio to ask what in it would make that sound.").arg(name),
                                 15000);
    } else if (!audioFollows) {
      showError(tr("No audio"),
                tr("%1 has no audio track: the maps listen to silence until you swap in another clip's audio.").arg(name));
    }
  }
  audio_->setOriginal(ownAudio);
  restartMaps();
  audio_->restoreOriginal();  // the new video's own audio is heard
  playback_->showFrameAt(0);
  updatePlayActions();  // play, step, export and swap need an open video
  status_->refresh();
  spdlog::info("opened {} ({:.1f} s, {} frames, {:.2f} fps)", playback_->mediaPath().toStdString(), duration,
               playback_->frameCount(), playback_->fps());
  return true;
}

void MainWindow::restartMaps() { maps_->start(playback_->mediaPath(), audio_->active()); }

void MainWindow::useSoundtrack(const std::shared_ptr<const engine::Soundtrack>& soundtrack) {
  playback_->player()->setSoundtrack(soundtrack);
  maps_->setSoundtrack(soundtrack);
  audioPanel_->setSoundtrack(soundtrack);
  actions_->originalAudioAction->setEnabled(audio_->isSwapped());
}

bool MainWindow::swapAudio(const QString& path, double offset) {
  if (!playback_->hasMedia()) {
    showError(tr("Swap audio"), tr("Open a video first, then swap its audio."));
    return false;
  }
  try {
    audio_->swapTo(path, offset);
    spdlog::info("audio swapped to {} (offset {:.2f} s)", path.toStdString(), offset);
    return true;
  } catch (const std::exception& e) {
    showError(tr("Cannot use this audio"), QString::fromStdString(e.what()));
    return false;
  }
}

void MainWindow::restoreOriginalAudio() { audio_->restoreOriginal(); }

bool MainWindow::setModelDir(const QString& dir) {
  maps_->setModelDir(QFileInfo(dir).absoluteFilePath());
  retrievalPanel()->setViewerModelDir(maps_->modelDir());
  ViewerSettings::saveModelDir(maps_->modelDir());
  restartMaps();
  return maps_->localizer() != nullptr || playback_->mediaPath().isEmpty();
}

bool MainWindow::setDevice(nn::DeviceChoice device) {
  try {
    nn::resolveDevice(device);  // throws when CUDA is chosen without a GPU
  } catch (const std::exception& e) {
    showError(tr("Device not available"), QString::fromStdString(e.what()));
    actions_->checkDevice(maps_->device());
    return false;
  }
  maps_->setDevice(device);
  actions_->checkDevice(device);
  retrievalPanel()->setDevice(QString::fromStdString(nn::toString(device)));
  ViewerSettings::saveDevice(device);
  restartMaps();
  return true;
}

void MainWindow::chooseOpenFile() {
  const QStringList& recent = recent_->files();
  const QString path = askForVideo(this, recent.isEmpty() ? QString() : QFileInfo(recent.first()).absolutePath());
  if (!path.isEmpty()) openMedia(path);
}

void MainWindow::chooseAudioFile() {
  const QString path = askForAudioSource(this, playback_->mediaPath());
  if (!path.isEmpty()) swapAudio(path, 0);
}

void MainWindow::showModelCard() {
  const QString dir = maps_->modelDir();
  if (dir.isEmpty()) {
    showError(tr("About this model"), tr("No model is loaded: Model ▸ Choose model folder… picks one."));
    return;
  }
  QString page;
  try {
    page = modelCardSummaryHtml(dir);
  } catch (const std::exception& e) {
    showError(tr("About this model"), QString::fromStdString(e.what()));
    return;
  }
  if (!showMessageBoxes_) return;
  auto* box = new QMessageBox(QMessageBox::Information, tr("About this model"), page, QMessageBox::Ok, this);
  box->setObjectName("modelCardBox");
  box->setTextFormat(Qt::RichText);
  box->setTextInteractionFlags(Qt::TextSelectableByMouse);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // non-modal to the event loop, like the error boxes
}

void MainWindow::chooseModelDir() {
  const QString dir = askForModelDir(this, maps_->modelDir());
  if (!dir.isEmpty()) setModelDir(dir);
}

void MainWindow::chooseExportFile() {
  if (!playback_->hasMedia()) return;
  const QString path = askForExportFile(this, playback_->mediaPath());
  if (!path.isEmpty()) exportOverlay(path);
}

bool MainWindow::exportOverlay(const QString& output) {
  if (!playback_->hasMedia() || !audio_->active()) return false;
  pause();
  engine::ExportRequest request;
  request.media = playback_->mediaPath().toStdString();
  request.output = output.toStdString();
  request.style = actions_->overlayStyle();
  const OverlayExportOutcome outcome = exportOverlayWithProgress(this, request, maps_->modelDir(), maps_->device(),
                                                                 audio_->active(), playback_->frameCount());
  if (!outcome.error.isEmpty()) {
    showError(tr("Export failed"), outcome.error);
    return false;
  }
  statusBar()->showMessage(outcome.written ? tr("Wrote %1").arg(output) : tr("Export cancelled; nothing written"), 8000);
  return outcome.written;
}

TrainingDialog* MainWindow::showTrainingDialog() {
  if (!training_) {
    training_ = new TrainingDialog(this);
    training_->setInteractive(showMessageBoxes_);
    connect(training_, &TrainingDialog::loadModelRequested, this, [this](const QString& dir) { setModelDir(dir); });
  }
  training_->show();
  training_->raise();
  training_->activateWindow();
  return training_;
}

void MainWindow::showRetrievalPanel() { retrievalDock_->showPanel(); }
void MainWindow::queryRegionAt(QPointF framePoint) { retrievalDock_->queryRegionAt(framePoint); }

bool MainWindow::openClipAt(const QString& media, double time) {
  if (media.isEmpty()) return false;
  if (QFileInfo(media).absoluteFilePath() != playback_->mediaPath() && !openMedia(media)) return false;
  pause();
  seek(time);
  return true;
}

}  // namespace soundspot::ui
