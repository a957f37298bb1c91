#include "ui/MainWindow.h"

#include "core/common/Error.h"
#include "core/common/Paths.h"
#include "core/common/Progress.h"
#include "core/engine/Localizer.h"
#include "core/engine/MapModel.h"
#include "core/engine/OverlayExport.h"
#include "core/media/MediaReader.h"
#include "ui/AudioPanel.h"
#include "ui/AudioPlayer.h"
#include "ui/PictureGeometry.h"
#include "ui/PlayerView.h"
#include "ui/RetrievalPanel.h"
#include "ui/Timeline.h"
#include "ui/TrainingDialog.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QProgressDialog>
#include <QScreen>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <thread>

namespace soundspot::ui {
namespace {

constexpr int kMaxRecentFiles = 8;
const char* kMediaFilter = "Media (*.mp4 *.mkv *.mov *.webm *.avi *.m4v *.ts *.mpg *.wav *.mp3 *.flac *.ogg *.m4a *.aac);;All files (*)";

QString formatTime(double s) {
  const int total = static_cast<int>(std::max(0.0, s));
  return QString("%1:%2.%3")
      .arg(total / 60)
      .arg(total % 60, 2, 10, QChar('0'))
      .arg(static_cast<int>((s - std::floor(s)) * 10), 1, 10, QChar('0'));
}

QString defaultModelDir() { return QString::fromStdString((resourceDir() / "models" / "avol").string()); }

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("SoundSpot"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/soundspot.svg")));
  setAcceptDrops(true);

  player_ = new AudioPlayer(this);
  picture_ = createPictureView(this);
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

  timeLabel_ = new QLabel(this);
  inferenceLabel_ = new QLabel(this);
  syncLabel_ = new QLabel(this);
  statusBar()->addWidget(timeLabel_);
  statusBar()->addPermanentWidget(syncLabel_);
  statusBar()->addPermanentWidget(inferenceLabel_);

  // View ▸ Retrieval panel: the retrieval browser in a dock (hidden until asked for).
  retrieval_ = new RetrievalPanel(this);
  retrieval_->setContextProvider([this] {
    QueryContext c;
    if (!reader_) return c;
    c.media = mediaPath_;
    c.frameTime = shownIndex_ >= 0 ? times_[static_cast<size_t>(shownIndex_)] : times_.front();
    c.audioTime = position();
    c.soundtrack = active_;
    c.modelDir = modelDir_;
    return c;
  });
  connect(retrieval_, &RetrievalPanel::openClipRequested, this, [this](const QString& media, double time) { openClipAt(media, time); });
  // A previewed second of sound is heard alone: playback pauses and then goes on.
  connect(retrieval_, &RetrievalPanel::previewStarted, this, [this] {
    if (!isPlaying()) return;
    pause();
    resumeAfterPreview_ = true;
  });
  connect(retrieval_, &RetrievalPanel::previewFinished, this, [this] {
    if (!resumeAfterPreview_) return;
    resumeAfterPreview_ = false;
    if (!isPlaying()) play();
  });
  retrievalDock_ = new QDockWidget(tr("Retrieval"), this);
  retrievalDock_->setObjectName("retrievalDock");
  retrievalDock_->setWidget(retrieval_);
  retrievalDock_->setAllowedAreas(Qt::LeftDockWidgetArea | Qt::RightDockWidgetArea);
  addDockWidget(Qt::RightDockWidgetArea, retrievalDock_);
  retrievalDock_->hide();
  picture_->widget()->installEventFilter(this);

  buildActions();
  buildMenus();
  buildToolBar();

  connect(timeline_, &Timeline::seekRequested, this, &MainWindow::seek);
  connect(audioPanel_, &AudioPanel::audioFileChosen, this, [this](const QString& p) { swapAudio(p, 0); });
  connect(audioPanel_, &AudioPanel::chooseAudioRequested, this, &MainWindow::chooseAudioFile);
  connect(audioPanel_, &AudioPanel::restoreOriginalRequested, this, &MainWindow::restoreOriginalAudio);
  connect(audioPanel_, &AudioPanel::offsetChanged, this, [this](double offset) {
    if (!active_ || active_->original) return;
    auto moved = std::make_shared<engine::Soundtrack>(*active_);
    moved->offset = offset;
    applySoundtrack(moved);
  });
  if (auto* gl = qobject_cast<PlayerView*>(picture_->widget()))
    connect(gl, &PlayerView::glFailed, this, [this](const QString& message) { showError(tr("Graphics"), message); });

  tick_.setTimerType(Qt::PreciseTimer);
  tick_.setInterval(5);
  connect(&tick_, &QTimer::timeout, this, &MainWindow::tick);
  tick_.start();
  statusTimer_.setInterval(500);
  connect(&statusTimer_, &QTimer::timeout, this, &MainWindow::updateStatus);
  statusTimer_.start();

  loadSettings();
  updatePlayActions();
  updateStatus();
}

MainWindow::~MainWindow() {
  tick_.stop();
  statusTimer_.stop();
  // The panel's preview sink runs events when deleted: first, while all is whole.
  if (retrieval_) retrieval_->releaseAudio();
  localizer_.reset();
  // The panel owns threads: gone while the window is whole.
  if (picture_) picture_->widget()->removeEventFilter(this);
  delete retrievalDock_;
  retrievalDock_ = nullptr;
  retrieval_ = nullptr;
  // Deleting the audio sink runs queued events (Qt Multimedia 6.4): do it
  // while every widget is still whole, not among the children torn down
  // by ~QWidget.
  delete player_;
  player_ = nullptr;
}

void MainWindow::buildActions() {
  auto make = [this](const QString& text, const QKeySequence& key, QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
    auto* a = new QAction(text, this);
    if (!key.isEmpty()) a->setShortcut(key);
    if (icon != QStyle::SP_CustomBase) a->setIcon(style()->standardIcon(icon));
    a->setToolTip(key.isEmpty() ? text : QString("%1 (%2)").arg(QString(text).remove('&').remove(QString::fromUtf8("…")),
                                                                key.toString(QKeySequence::NativeText)));
    return a;
  };
  openAction_ = make(tr("&Open…"), QKeySequence::Open, QStyle::SP_DialogOpenButton);
  connect(openAction_, &QAction::triggered, this, &MainWindow::chooseOpenFile);
  exportAction_ = make(tr("&Export overlay video…"), QKeySequence(tr("Ctrl+E")), QStyle::SP_DialogSaveButton);
  connect(exportAction_, &QAction::triggered, this, &MainWindow::chooseExportFile);
  quitAction_ = make(tr("&Quit"), QKeySequence::Quit);
  connect(quitAction_, &QAction::triggered, this, &QWidget::close);

  playAction_ = make(tr("&Play"), QKeySequence(Qt::Key_Space), QStyle::SP_MediaPlay);
  connect(playAction_, &QAction::triggered, this, &MainWindow::togglePlay);
  stepBackAction_ = make(tr("Previous &frame"), QKeySequence(Qt::Key_Left), QStyle::SP_MediaSeekBackward);
  connect(stepBackAction_, &QAction::triggered, this, [this] { stepFrames(-1); });
  stepForwardAction_ = make(tr("&Next frame"), QKeySequence(Qt::Key_Right), QStyle::SP_MediaSeekForward);
  connect(stepForwardAction_, &QAction::triggered, this, [this] { stepFrames(1); });
  backAction_ = make(tr("&Back 5 seconds"), QKeySequence(Qt::SHIFT | Qt::Key_Left), QStyle::SP_MediaSkipBackward);
  connect(backAction_, &QAction::triggered, this, [this] { seek(position() - 5); });
  forwardAction_ = make(tr("&Forward 5 seconds"), QKeySequence(Qt::SHIFT | Qt::Key_Right), QStyle::SP_MediaSkipForward);
  connect(forwardAction_, &QAction::triggered, this, [this] { seek(position() + 5); });
  muteAction_ = make(tr("&Mute"), QKeySequence(Qt::Key_M), QStyle::SP_MediaVolume);
  muteAction_->setCheckable(true);
  connect(muteAction_, &QAction::toggled, this, [this](bool on) {
    player_->setMuted(on);
    muteAction_->setIcon(style()->standardIcon(on ? QStyle::SP_MediaVolumeMuted : QStyle::SP_MediaVolume));
  });

  swapAudioAction_ = make(tr("&Swap audio…"), QKeySequence(tr("Ctrl+A")));
  connect(swapAudioAction_, &QAction::triggered, this, &MainWindow::chooseAudioFile);
  originalAudioAction_ = make(tr("&Original audio"), QKeySequence(tr("Ctrl+R")));
  connect(originalAudioAction_, &QAction::triggered, this, &MainWindow::restoreOriginalAudio);
  chooseModelAction_ = make(tr("Choose &model folder…"), QKeySequence(tr("Ctrl+M")));
  connect(chooseModelAction_, &QAction::triggered, this, &MainWindow::chooseModelDir);

  viewGroup_ = new QActionGroup(this);
  const std::pair<QString, ViewMode> views[] = {
      {tr("&Overlay"), ViewMode::Overlay}, {tr("&Map only"), ViewMode::MapOnly}, {tr("&Side by side"), ViewMode::SideBySide}};
  int n = 1;
  for (const auto& [text, mode] : views) {
    auto* a = make(text, QKeySequence(QString::number(n++)));
    a->setCheckable(true);
    a->setData(static_cast<int>(mode));
    viewGroup_->addAction(a);
    connect(a, &QAction::triggered, this, [this, mode = mode] {
      viewMode_ = mode;
      picture_->setViewMode(mode);
    });
  }
  viewGroup_->actions().first()->setChecked(true);

  colormapGroup_ = new QActionGroup(this);
  for (engine::Colormap cmap : engine::allColormaps()) {
    QString name = QString::fromStdString(engine::toString(cmap));
    name[0] = name[0].toUpper();
    auto* a = make(name, {});
    a->setCheckable(true);
    a->setData(QString::fromStdString(engine::toString(cmap)));
    colormapGroup_->addAction(a);
    connect(a, &QAction::triggered, this, [this, cmap] { picture_->setColormap(cmap); });
  }
  colormapGroup_->actions().first()->setChecked(true);

  deviceGroup_ = new QActionGroup(this);
  for (nn::DeviceChoice d : {nn::DeviceChoice::Auto, nn::DeviceChoice::Cpu, nn::DeviceChoice::Cuda}) {
    const QString text = d == nn::DeviceChoice::Auto ? tr("&Auto") : d == nn::DeviceChoice::Cpu ? tr("&CPU") : tr("C&UDA");
    auto* a = make(text, {});
    a->setCheckable(true);
    a->setData(QString::fromStdString(nn::toString(d)));
    deviceGroup_->addAction(a);
    connect(a, &QAction::triggered, this, [this, d] { setDevice(d); });
  }
  deviceGroup_->actions().first()->setChecked(true);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(openAction_);
  recentMenu_ = file->addMenu(tr("Open &recent"));
  file->addAction(exportAction_);
  file->addSeparator();
  file->addAction(quitAction_);

  QMenu* playback = menuBar()->addMenu(tr("&Playback"));
  playback->addAction(playAction_);
  playback->addSeparator();
  playback->addAction(stepBackAction_);
  playback->addAction(stepForwardAction_);
  playback->addAction(backAction_);
  playback->addAction(forwardAction_);
  playback->addSeparator();
  playback->addAction(muteAction_);

  QMenu* audio = menuBar()->addMenu(tr("&Audio"));
  audio->addAction(swapAudioAction_);
  audio->addAction(originalAudioAction_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addActions(viewGroup_->actions());
  view->addSeparator();
  QMenu* colormap = view->addMenu(tr("&Colormap"));
  colormap->addActions(colormapGroup_->actions());
  view->addSeparator();
  QAction* retrieval = retrievalDock_->toggleViewAction();
  retrieval->setText(tr("&Retrieval panel"));
  retrieval->setShortcut(QKeySequence(tr("Ctrl+F")));
  retrieval->setToolTip(tr("Cross-modal retrieval: query an index with the current frame or second of sound (Ctrl+F)"));
  view->addAction(retrieval);

  QMenu* model = menuBar()->addMenu(tr("&Model"));
  model->addAction(chooseModelAction_);
  QMenu* device = model->addMenu(tr("&Device"));
  device->addActions(deviceGroup_->actions());

  // Tools ▸ Train model…: the CLI's trainer in a background process (TrainingDialog).
  QMenu* tools = menuBar()->addMenu(tr("&Tools"));
  QAction* train = tools->addAction(tr("&Train model…"), this, [this] { showTrainingDialog(); });
  train->setShortcut(QKeySequence(tr("Ctrl+T")));
  train->setToolTip(tr("Train AVOL-Net / AVE-Net / L3-Net on a dataset folder or a scene pack"));

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About SoundSpot"), this, [this] {
    QMessageBox::about(this, tr("About SoundSpot"),
                       tr("<h3>SoundSpot %1</h3><p>Shows where the sound in a video comes from, with AVOL-Net from "
                          "<i>Objects that Sound</i> (Arandjelović &amp; Zisserman, ECCV 2018).</p>"
                          "<p>Drop a video on the window to open it; drop another clip on the audio panel to hear "
                          "what it would make sound.</p><p>GPL-3.0-or-later</p>")
                           .arg(SOUNDSPOT_VERSION));
  });
}

void MainWindow::buildToolBar() {
  QToolBar* bar = addToolBar(tr("Playback"));
  bar->setObjectName("playbackToolBar");
  bar->setMovable(false);
  bar->addAction(openAction_);
  bar->addSeparator();
  bar->addAction(backAction_);
  bar->addAction(stepBackAction_);
  bar->addAction(playAction_);
  bar->addAction(stepForwardAction_);
  bar->addAction(forwardAction_);
  bar->addSeparator();
  bar->addAction(muteAction_);
  volume_ = new QSlider(Qt::Horizontal, bar);
  volume_->setRange(0, 100);
  volume_->setMaximumWidth(100);
  volume_->setToolTip(tr("Volume"));
  volume_->setFocusPolicy(Qt::NoFocus);
  connect(volume_, &QSlider::valueChanged, this, [this](int v) { player_->setVolume(v / 100.f); });
  bar->addWidget(volume_);
  bar->addSeparator();

  auto addSlider = [&](const QString& label, const QString& tip, auto apply) {
    bar->addWidget(new QLabel(label, bar));
    auto* s = new QSlider(Qt::Horizontal, bar);
    s->setRange(0, 100);
    s->setMaximumWidth(110);
    s->setToolTip(tip);
    s->setFocusPolicy(Qt::NoFocus);
    connect(s, &QSlider::valueChanged, this, [this, apply](int v) { apply(v / 100.f); });
    bar->addWidget(s);
    return s;
  };
  opacity_ = addSlider(tr(" Opacity "), tr("How strongly the map is drawn over the picture"),
                       [this](float v) { picture_->setOpacity(v); });
  threshold_ = addSlider(tr(" Threshold "), tr("Map values below this are not drawn"),
                         [this](float v) { picture_->setThreshold(v); });
  bar->addSeparator();
  bar->addAction(exportAction_);
}

void MainWindow::loadSettings() {
  QSettings s;
  const QSize screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableSize() : QSize(1600, 1000);
  if (!restoreGeometry(s.value("window/geometry").toByteArray()))
    resize(std::min(1280, screen.width() * 9 / 10), std::min(860, screen.height() * 9 / 10));
  restoreState(s.value("window/state").toByteArray());
  const QString cmap = s.value("view/colormap", "jet").toString();
  for (QAction* a : colormapGroup_->actions())
    if (a->data().toString() == cmap) a->trigger();
  const int mode = s.value("view/mode", 0).toInt();
  for (QAction* a : viewGroup_->actions())
    if (a->data().toInt() == mode) a->trigger();
  opacity_->setValue(s.value("view/opacity", 55).toInt());
  threshold_->setValue(s.value("view/threshold", 20).toInt());
  picture_->setOpacity(opacity_->value() / 100.f);
  picture_->setThreshold(threshold_->value() / 100.f);
  volume_->setValue(s.value("audio/volume", 80).toInt());
  try {
    device_ = nn::parseDeviceChoice(s.value("model/device", "auto").toString().toStdString());
  } catch (const Error&) {
    device_ = nn::DeviceChoice::Auto;
  }
  for (QAction* a : deviceGroup_->actions())
    a->setChecked(a->data().toString().toStdString() == nn::toString(device_));
  retrieval_->setDevice(QString::fromStdString(nn::toString(device_)));
  modelDir_ = s.value("model/dir", defaultModelDir()).toString();
  retrieval_->setViewerModelDir(modelDir_);
  retrieval_->reopenLastIndex();
  recentFiles_ = s.value("recentFiles").toStringList();
  rebuildRecentMenu();
}

void MainWindow::saveSettings() {
  QSettings s;
  s.setValue("window/geometry", saveGeometry());
  s.setValue("window/state", saveState());
  if (QAction* a = colormapGroup_->checkedAction()) s.setValue("view/colormap", a->data());
  if (QAction* a = viewGroup_->checkedAction()) s.setValue("view/mode", a->data());
  s.setValue("view/opacity", opacity_->value());
  s.setValue("view/threshold", threshold_->value());
  s.setValue("audio/volume", volume_->value());
  s.setValue("model/device", QString::fromStdString(nn::toString(device_)));
  s.setValue("model/dir", modelDir_);
  s.setValue("recentFiles", recentFiles_);
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

void MainWindow::showRetrievalPanel() {
  retrievalDock_->show();
  retrievalDock_->raise();
}

void MainWindow::queryRegionAt(QPointF framePoint) {
  showRetrievalPanel();
  retrieval_->queryRegion(framePoint);
}

bool MainWindow::openClipAt(const QString& media, double time) {
  if (media.isEmpty()) return false;
  if (QFileInfo(media).absoluteFilePath() != mediaPath_ && !openMedia(media)) return false;
  pause();
  seek(time);
  return true;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
  // Ctrl+click on the picture (or a plain click with Region query on): what
  // does this region sound like?
  if (picture_ && watched == picture_->widget() && event->type() == QEvent::MouseButtonPress && reader_) {
    auto* m = static_cast<QMouseEvent*>(event);
    const bool wanted = m->button() == Qt::LeftButton &&
                        ((m->modifiers() & Qt::ControlModifier) || (retrieval_ && retrieval_->regionQueryMode()));
    if (wanted) {
      const QSize frame(reader_->info().width, reader_->info().height);
      if (const auto p = framePointAt(picture_->widget()->size(), frame, viewMode_, m->position())) {
        queryRegionAt(*p);
        return true;
      }
    }
  }
  return QMainWindow::eventFilter(watched, event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (training_ && !training_->confirmStop()) {  // a training run asks first, then stops cleanly
    event->ignore();
    return;
  }
  saveSettings();
  player_->pause();
  event->accept();
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

void MainWindow::addRecentFile(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  recentFiles_.removeAll(absolute);
  recentFiles_.prepend(absolute);
  while (recentFiles_.size() > kMaxRecentFiles) recentFiles_.removeLast();
  rebuildRecentMenu();
  QSettings().setValue("recentFiles", recentFiles_);
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  int n = 1;
  for (const QString& f : recentFiles_) {
    auto* a = recentMenu_->addAction(QString("&%1 %2").arg(n++).arg(QFileInfo(f).fileName()));
    a->setToolTip(f);
    connect(a, &QAction::triggered, this, [this, f] { openMedia(f); });
  }
  if (!recentFiles_.isEmpty()) {
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("&Clear list"), this, [this] {
      recentFiles_.clear();
      rebuildRecentMenu();
      QSettings().setValue("recentFiles", recentFiles_);
    });
  }
  recentMenu_->setEnabled(!recentFiles_.isEmpty());
}

bool MainWindow::openMedia(const QString& path) {
  std::unique_ptr<media::MediaReader> reader;
  std::shared_ptr<engine::Soundtrack> original;
  try {
    reader = std::make_unique<media::MediaReader>(path.toStdString());
    if (!reader->info().hasVideo) throw Error(path.toStdString(), "has no video track to show");
    if (reader->frameTimestamps().empty()) throw Error(path.toStdString(), "has no video frames");
    if (reader->info().hasAudio) {
      original = std::make_shared<engine::Soundtrack>();
      original->name = "original";
      original->path = path.toStdString();
      original->original = true;
      original->samples = reader->audio(0, reader->info().duration);
    }
  } catch (const std::exception& e) {
    showError(tr("Cannot open file"), QString::fromStdString(e.what()));
    return false;
  }
  pause();
  localizer_.reset();
  reader_ = std::move(reader);
  mediaPath_ = QFileInfo(path).absoluteFilePath();
  times_ = reader_->frameTimestamps();
  fps_ = reader_->info().frameRate > 0 ? reader_->info().frameRate : 25;
  duration_ = std::max(reader_->info().duration, times_.back() + 1.0 / fps_);
  shownIndex_ = -1;
  sync_ = {};
  timeline_->setDuration(duration_);
  audioPanel_->setVideoDuration(duration_);
  setWindowTitle(tr("%1 — SoundSpot").arg(QFileInfo(path).fileName()));
  addRecentFile(path);
  original_ = original;
  if (!original_) {
    // Silence keeps the clock and the maps working; the user can swap audio in.
    auto silence = std::make_shared<engine::Soundtrack>();
    silence->name = "no audio";
    silence->original = true;
    silence->samples.assign(static_cast<size_t>(duration_ * engine::kSoundtrackRate), 0.f);
    original_ = silence;
    showError(tr("No audio"), tr("%1 has no audio track: the maps listen to silence until you swap in another clip's audio.")
                                  .arg(QFileInfo(path).fileName()));
  }
  player_->seek(0);
  startLocalizer();
  applySoundtrack(original_);
  showFrameAt(0);
  updateStatus();
  spdlog::info("opened {} ({:.1f} s, {} frames, {:.2f} fps)", mediaPath_.toStdString(), duration_, times_.size(), fps_);
  return true;
}

void MainWindow::startLocalizer() {
  localizer_.reset();
  shownMap_ = {};
  picture_->clearMaps();
  if (mediaPath_.isEmpty()) return;
  if (!QFileInfo(modelDir_ + "/card.json").exists()) {
    showError(tr("No model"), tr("No AVOL-Net model in %1. Choose a model folder with Model ▸ Choose model folder… "
                                 "(the video plays without the map meanwhile).").arg(modelDir_));
    return;
  }
  try {
    auto model = std::make_unique<engine::MapModel>(modelDir_.toStdString(), device_);
    localizer_ = std::make_unique<engine::Localizer>(engine::openMediaFrames(mediaPath_.toStdString()), std::move(model));
    if (active_) localizer_->setSoundtrack(active_);
    localizer_->setPlayhead(position(), isPlaying());
  } catch (const std::exception& e) {
    localizer_.reset();
    showError(tr("Cannot load the model"), QString::fromStdString(e.what()));
  }
}

void MainWindow::applySoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack) {
  active_ = std::move(soundtrack);
  player_->setSoundtrack(active_);
  if (localizer_) localizer_->setSoundtrack(active_);
  audioPanel_->setSoundtrack(active_);
  originalAudioAction_->setEnabled(active_ && !active_->original);
}

bool MainWindow::swapAudio(const QString& path, double offset) {
  if (!reader_) {
    showError(tr("Swap audio"), tr("Open a video first, then swap its audio."));
    return false;
  }
  try {
    auto track = std::make_shared<engine::Soundtrack>(engine::loadSoundtrack(path.toStdString(), offset, false));
    applySoundtrack(track);
    spdlog::info("audio swapped to {} (offset {:.2f} s)", path.toStdString(), offset);
    return true;
  } catch (const std::exception& e) {
    showError(tr("Cannot use this audio"), QString::fromStdString(e.what()));
    return false;
  }
}

void MainWindow::restoreOriginalAudio() {
  if (original_) applySoundtrack(original_);
}

bool MainWindow::setModelDir(const QString& dir) {
  modelDir_ = QFileInfo(dir).absoluteFilePath();
  retrieval_->setViewerModelDir(modelDir_);
  QSettings().setValue("model/dir", modelDir_);
  startLocalizer();
  return localizer_ != nullptr || mediaPath_.isEmpty();
}

bool MainWindow::setDevice(nn::DeviceChoice device) {
  const nn::DeviceChoice previous = device_;
  try {
    nn::resolveDevice(device);  // throws when CUDA is chosen without a GPU
  } catch (const std::exception& e) {
    showError(tr("Device not available"), QString::fromStdString(e.what()));
    for (QAction* a : deviceGroup_->actions())
      a->setChecked(a->data().toString().toStdString() == nn::toString(previous));
    return false;
  }
  device_ = device;
  for (QAction* a : deviceGroup_->actions()) a->setChecked(a->data().toString().toStdString() == nn::toString(device));
  retrieval_->setDevice(QString::fromStdString(nn::toString(device_)));
  QSettings().setValue("model/device", QString::fromStdString(nn::toString(device_)));
  startLocalizer();
  return true;
}

void MainWindow::play() {
  if (!reader_) return;
  if (position() >= duration_ - 1e-3) player_->seek(0);
  player_->play();
  updatePlayActions();
}

void MainWindow::pause() {
  player_->pause();
  updatePlayActions();
}

void MainWindow::togglePlay() {
  resumeAfterPreview_ = false;  // the user decides now
  isPlaying() ? pause() : play();
}
bool MainWindow::isPlaying() const { return player_->isPlaying(); }
double MainWindow::position() const { return player_->position(); }

void MainWindow::seek(double seconds) {
  if (!reader_) return;
  player_->seek(std::clamp(seconds, 0.0, std::max(0.0, duration_ - 1.0 / fps_)));
  showFrameAt(position());
}

void MainWindow::stepFrames(int frames) {
  if (!reader_) return;
  pause();
  const int64_t idx = std::clamp<int64_t>(frameIndexAt(position()) + frames, 0, static_cast<int64_t>(times_.size()) - 1);
  player_->seek(times_[idx]);
  showFrameAt(times_[idx]);
}

int64_t MainWindow::frameIndexAt(double t) const {
  const auto it = std::upper_bound(times_.begin(), times_.end(), t + 1e-6);
  return it == times_.begin() ? 0 : static_cast<int64_t>(it - times_.begin()) - 1;
}

void MainWindow::updatePlayActions() {
  const bool playing = isPlaying();
  playAction_->setText(playing ? tr("&Pause") : tr("&Play"));
  playAction_->setIcon(style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  for (QAction* a : {playAction_, stepBackAction_, stepForwardAction_, backAction_, forwardAction_, exportAction_,
                     swapAudioAction_})
    a->setEnabled(reader_ != nullptr);
  originalAudioAction_->setEnabled(active_ && !active_->original);
}

void MainWindow::showFrameAt(double t) {
  if (!reader_) return;
  const int64_t idx = frameIndexAt(t);
  if (idx != shownIndex_) {
    try {
      media::RgbFrame f = reader_->frameAt(times_[idx]);
      picture_->setFrame(QImage(f.rgb.data(), f.width, f.height, f.width * 3, QImage::Format_RGB888).copy());
      shownIndex_ = idx;
    } catch (const std::exception& e) {
      pause();
      showError(tr("Cannot decode"), QString::fromStdString(e.what()));
      return;
    }
  }
  if (localizer_ && shownIndex_ >= 0) {
    // Maps are taken at the shown frame's time, and the picture is only
    // redrawn when they change: a repaint per 5 ms tick would starve playback.
    const engine::MapAt m = localizer_->mapAt(times_[shownIndex_]);
    const MapKey key{shownIndex_, m.valid, m.beforeTime, m.afterTime, localizer_->soundtrackGeneration()};
    if (!(key == shownMap_)) {
      if (m.valid) picture_->setMaps(m.before, m.after, m.blend);
      else picture_->clearMaps();
      shownMap_ = key;
    }
    localizer_->setPlayhead(t, isPlaying());
  }
  timeline_->setPosition(t);
  audioPanel_->setPlayhead(t);
}

void MainWindow::tick() {
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

QString MainWindow::statusText() const {
  if (!localizer_) return mediaPath_.isEmpty() ? tr("No video") : tr("No model: map off");
  const engine::LocalizerStats s = localizer_->stats();
  return tr("Maps %1/s · %2 ms · every %3 frame(s) · %4")
      .arg(s.mapsPerSecond, 0, 'f', 1)
      .arg(s.latencyMs, 0, 'f', 0)
      .arg(s.stride)
      .arg(QString::fromStdString(s.device).toUpper());
}

void MainWindow::updateStatus() {
  timeLabel_->setText(reader_ ? QString("%1 / %2").arg(formatTime(position()), formatTime(duration_)) : tr("Open a video (Ctrl+O) or drop one here"));
  inferenceLabel_->setText(statusText());
  if (sync_.samples > 0)
    syncLabel_->setText(tr("A/V lag max %1 ms").arg(sync_.maxLagSeconds * 1000, 0, 'f', 0));
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

void MainWindow::chooseOpenFile() {
  const QString dir = recentFiles_.isEmpty() ? QString() : QFileInfo(recentFiles_.first()).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open video"), dir, tr(kMediaFilter));
  if (!path.isEmpty()) openMedia(path);
}

void MainWindow::chooseAudioFile() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Swap in the audio of…"), QFileInfo(mediaPath_).absolutePath(), tr(kMediaFilter));
  if (!path.isEmpty()) swapAudio(path, 0);
}

void MainWindow::chooseModelDir() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose an AVOL-Net model folder"), modelDir_);
  if (!dir.isEmpty()) setModelDir(dir);
}

void MainWindow::chooseExportFile() {
  if (!reader_) return;
  const QString suggestion = QFileInfo(mediaPath_).absolutePath() + "/" + QFileInfo(mediaPath_).completeBaseName() + "-overlay.mp4";
  const QString path = QFileDialog::getSaveFileName(this, tr("Export overlay video"), suggestion, tr("MP4 video (*.mp4)"));
  if (!path.isEmpty()) exportOverlay(path);
}

bool MainWindow::exportOverlay(const QString& output) {
  if (!reader_ || !active_) return false;
  pause();
  engine::ExportRequest request;
  request.media = mediaPath_.toStdString();
  request.output = output.toStdString();
  request.style.colormap = engine::parseColormap(colormapGroup_->checkedAction()->data().toString().toStdString());
  request.style.opacity = opacity_->value() / 100.f;
  request.style.threshold = threshold_->value() / 100.f;

  QProgressDialog dialog(tr("Exporting %1…").arg(QFileInfo(output).fileName()), tr("Cancel"), 0, static_cast<int>(times_.size()), this);
  dialog.setWindowModality(Qt::WindowModal);
  dialog.setMinimumDuration(0);
  dialog.setValue(0);
  CancelToken cancel;
  connect(&dialog, &QProgressDialog::canceled, this, [&cancel] { cancel.cancel(); });
  std::atomic<int64_t> done{0};
  std::atomic<bool> finished{false};
  bool written = false;
  std::string error;
  const auto soundtrack = active_;
  const std::string modelDir = modelDir_.toStdString();
  const nn::DeviceChoice device = device_;
  std::thread worker([&] {
    try {
      engine::MapModel model(modelDir, device);
      written = engine::exportOverlayVideo(request, model, *soundtrack,
                                           [&](int64_t d, int64_t, double, const std::string&) { done = d; }, &cancel);
    } catch (const std::exception& e) {
      error = e.what();
    }
    finished = true;
  });
  while (!finished) {
    dialog.setValue(static_cast<int>(done.load()));
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  worker.join();
  dialog.reset();
  if (!error.empty()) {
    showError(tr("Export failed"), QString::fromStdString(error));
    return false;
  }
  if (written) statusBar()->showMessage(tr("Wrote %1").arg(output), 8000);
  else statusBar()->showMessage(tr("Export cancelled; nothing written"), 8000);
  return written;
}

}  // namespace soundspot::ui
