// MainWindow: lays out the widgets, makes the parts and wires them together,
// restores and saves the settings, and tears it all down in a safe order.
// What its commands do is in MainWindowCommands.cpp.
#include "ui/MainWindow.h"

#include "ui/AudioPanel.h"
#include "ui/AudioPlayer.h"
#include "ui/AudioSwap.h"
#include "ui/MapController.h"
#include "ui/PlaybackController.h"
#include "ui/PlayerView.h"
#include "ui/RecentFilesMenu.h"
#include "ui/RetrievalDock.h"
#include "ui/RetrievalPanel.h"
#include "ui/StatusReadout.h"
#include "ui/Timeline.h"
#include "ui/TrainingDialog.h"
#include "ui/ViewerActions.h"
#include "ui/ViewerSettings.h"

#include <QAction>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QGuiApplication>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QStatusBar>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace soundspot::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("SoundSpot"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/soundspot.svg")));
  setAcceptDrops(true);

  picture_ = createPictureView(this);
  playback_ = new PlaybackController(picture_, this);
  maps_ = new MapController(picture_, playback_->player(), this);
  audio_ = new AudioSwap(this);
  timeline_ = new Timeline(this);
  audioPanel_ = new AudioPanel(this);

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addWidget(picture_->widget(), 1);
  timeline_->setContentsMargins(8, 0, 8, 0);
  layout->addWidget(timeline_);
  layout->addWidget(audioPanel_);
  setCentralWidget(central);
  status_ = new StatusReadout(statusBar(), playback_, maps_, this);
  retrievalDock_ = new RetrievalDock(playback_, audio_, maps_, picture_->widget(), this);

  actions_ = new ViewerActions(this);
  actions_->buildMenus(retrievalDock_->toggleViewAction());
  actions_->buildToolBar();
  recent_ = new RecentFilesMenu(actions_->recentMenu, this);

  connectParts();
  connectActions();
  loadSettings();
  updatePlayActions();
  status_->refresh();
}

MainWindow::~MainWindow() {
  playback_->stopTicking();
  status_->stopRefreshing();
  // The panel's preview sink runs events when deleted: first, while all is whole.
  retrievalDock_->panel()->releaseAudio();
  maps_->stop();
  // The panel owns threads: gone while the window is whole.
  delete retrievalDock_;
  retrievalDock_ = nullptr;
  // Deleting the audio sink runs queued events (Qt Multimedia 6.4): do it
  // while every widget is still whole, not among the children torn down
  // by ~QWidget.
  delete playback_;
  playback_ = nullptr;
}

void MainWindow::connectParts() {
  connect(playback_, &PlaybackController::playStateChanged, this, &MainWindow::updatePlayActions);
  connect(playback_, &PlaybackController::frameShown, this, [this](qint64 index, double frameTime, double clock) {
    maps_->showAt(index, frameTime, clock);
    timeline_->setPosition(clock);
    audioPanel_->setPlayhead(clock);
  });
  connect(playback_, &PlaybackController::failed, this, &MainWindow::showError);
  connect(maps_, &MapController::failed, this, &MainWindow::showError);
  connect(audio_, &AudioSwap::activeChanged, this, &MainWindow::useSoundtrack);

  connect(timeline_, &Timeline::seekRequested, this, &MainWindow::seek);
  connect(audioPanel_, &AudioPanel::audioFileChosen, this, [this](const QString& p) { swapAudio(p, 0); });
  connect(audioPanel_, &AudioPanel::chooseAudioRequested, this, &MainWindow::chooseAudioFile);
  connect(audioPanel_, &AudioPanel::restoreOriginalRequested, this, &MainWindow::restoreOriginalAudio);
  connect(audioPanel_, &AudioPanel::offsetChanged, audio_, &AudioSwap::moveOffset);
  if (auto* gl = qobject_cast<PlayerView*>(picture_->widget()))
    connect(gl, &PlayerView::glFailed, this, [this](const QString& message) { showError(tr("Graphics"), message); });

  connect(retrievalDock_->panel(), &RetrievalPanel::openClipRequested, this,
          [this](const QString& media, double time) { openClipAt(media, time); });
}

void MainWindow::connectActions() {
  const ViewerActions& a = *actions_;
  connect(a.openAction, &QAction::triggered, this, &MainWindow::chooseOpenFile);
  connect(a.exportAction, &QAction::triggered, this, &MainWindow::chooseExportFile);
  connect(a.quitAction, &QAction::triggered, this, &QWidget::close);
  connect(a.playAction, &QAction::triggered, this, &MainWindow::togglePlay);
  connect(a.stepBackAction, &QAction::triggered, this, [this] { stepFrames(-1); });
  connect(a.stepForwardAction, &QAction::triggered, this, [this] { stepFrames(1); });
  connect(a.backAction, &QAction::triggered, this, [this] { seek(position() - 5); });
  connect(a.forwardAction, &QAction::triggered, this, [this] { seek(position() + 5); });
  connect(a.muteAction, &QAction::toggled, playback_->player(), &AudioPlayer::setMuted);
  connect(a.swapAudioAction, &QAction::triggered, this, &MainWindow::chooseAudioFile);
  connect(a.originalAudioAction, &QAction::triggered, this, &MainWindow::restoreOriginalAudio);
  connect(a.chooseModelAction, &QAction::triggered, this, &MainWindow::chooseModelDir);
  connect(a.aboutModelAction, &QAction::triggered, this, &MainWindow::showModelCard);
  connect(a.trainAction, &QAction::triggered, this, [this] { showTrainingDialog(); });
  connect(actions_, &ViewerActions::viewModeChosen, this, [this](ViewMode mode) {
    picture_->setViewMode(mode);
    retrievalDock_->setViewMode(mode);
  });
  connect(actions_, &ViewerActions::colormapChosen, this, [this](engine::Colormap c) { picture_->setColormap(c); });
  connect(actions_, &ViewerActions::deviceChosen, this, &MainWindow::setDevice);
  connect(actions_, &ViewerActions::volumeChanged, playback_->player(), &AudioPlayer::setVolume);
  connect(actions_, &ViewerActions::opacityChanged, this, [this](float v) { picture_->setOpacity(v); });
  connect(actions_, &ViewerActions::thresholdChanged, this, [this](float v) { picture_->setThreshold(v); });
  connect(recent_, &RecentFilesMenu::openRequested, this, [this](const QString& path) { openMedia(path); });
}

void MainWindow::loadSettings() {
  const ViewerSettings s = ViewerSettings::load();
  const QSize screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableSize() : QSize(1600, 1000);
  if (!restoreGeometry(s.windowGeometry))
    resize(std::min(1280, screen.width() * 9 / 10), std::min(860, screen.height() * 9 / 10));
  restoreState(s.windowState);
  actions_->restore(s);
  maps_->setDevice(s.device);
  retrievalPanel()->setDevice(QString::fromStdString(nn::toString(s.device)));
  maps_->setModelDir(s.modelDir);
  retrievalPanel()->setViewerModelDir(s.modelDir);
  retrievalPanel()->reopenLastIndex();
  recent_->setFiles(s.recentFiles);
}

void MainWindow::saveSettings() {
  ViewerSettings s;
  s.windowGeometry = saveGeometry();
  s.windowState = saveState();
  actions_->store(s);
  s.device = maps_->device();
  s.modelDir = maps_->modelDir();
  s.recentFiles = recent_->files();
  s.save();
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (training_ && !training_->confirmStop()) {  // a training run asks first, then stops cleanly
    event->ignore();
    return;
  }
  saveSettings();
  playback_->player()->pause();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  event->acceptProposedAction();
  openMedia(urls.first().toLocalFile());
}

void MainWindow::showError(const QString& title, const QString& message) {
  lastError_ = message;
  spdlog::error("{}: {}", title.toStdString(), message.toStdString());
  statusBar()->showMessage(message, 8000);
  if (!showMessageBoxes_) return;
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();  // non-modal to the event loop: playback and tests keep running
}

void MainWindow::updatePlayActions() {
  actions_->showPlayback(isPlaying(), playback_->hasMedia(), audio_->isSwapped());
}

void MainWindow::play() { playback_->play(); }
void MainWindow::pause() { playback_->pause(); }
void MainWindow::togglePlay() { playback_->togglePlay(); }
void MainWindow::seek(double seconds) { playback_->seek(seconds); }
void MainWindow::stepFrames(int frames) { playback_->stepFrames(frames); }
double MainWindow::position() const { return playback_->position(); }
QString MainWindow::modelDir() const { return maps_->modelDir(); }
bool MainWindow::isPlaying() const { return playback_->isPlaying(); }

engine::Localizer* MainWindow::localizer() const { return maps_->localizer(); }
std::shared_ptr<const engine::Soundtrack> MainWindow::activeSoundtrack() const { return audio_->active(); }
const SyncStats& MainWindow::syncStats() const { return playback_->syncStats(); }
QString MainWindow::statusText() const { return maps_->statusText(playback_->hasMedia()); }
RetrievalPanel* MainWindow::retrievalPanel() const { return retrievalDock_ ? retrievalDock_->panel() : nullptr; }
QDockWidget* MainWindow::retrievalDock() const { return retrievalDock_; }

}  // namespace soundspot::ui
