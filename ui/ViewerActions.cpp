#include "ui/ViewerActions.h"

#include "ui/ViewerSettings.h"

#include <QAction>
#include <QActionGroup>
#include <QLabel>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QSlider>
#include <QStyle>
#include <QToolBar>

#include <utility>

namespace soundspot::ui {
namespace {

// An action of `window` whose tool tip names its shortcut.
QAction* makeAction(QMainWindow* window, const QString& text, const QKeySequence& key,
                    QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
  auto* a = new QAction(text, window);
  if (!key.isEmpty()) a->setShortcut(key);
  if (icon != QStyle::SP_CustomBase) a->setIcon(window->style()->standardIcon(icon));
  a->setToolTip(key.isEmpty() ? text : QString("%1 (%2)").arg(QString(text).remove('&').remove(QString::fromUtf8("…")),
                                                              key.toString(QKeySequence::NativeText)));
  return a;
}

}  // namespace

ViewerActions::ViewerActions(QMainWindow* window) : QObject(window), window_(window) {
  auto make = [window](const QString& text, const QKeySequence& key, QStyle::StandardPixmap icon = QStyle::SP_CustomBase) {
    return makeAction(window, text, key, icon);
  };
  openAction = make(tr("&Open…"), QKeySequence::Open, QStyle::SP_DialogOpenButton);
  exportAction = make(tr("&Export overlay video…"), QKeySequence(tr("Ctrl+E")), QStyle::SP_DialogSaveButton);
  quitAction = make(tr("&Quit"), QKeySequence::Quit);

  playAction = make(tr("&Play"), QKeySequence(Qt::Key_Space), QStyle::SP_MediaPlay);
  stepBackAction = make(tr("Previous &frame"), QKeySequence(Qt::Key_Left), QStyle::SP_MediaSeekBackward);
  stepForwardAction = make(tr("&Next frame"), QKeySequence(Qt::Key_Right), QStyle::SP_MediaSeekForward);
  backAction = make(tr("&Back 5 seconds"), QKeySequence(Qt::SHIFT | Qt::Key_Left), QStyle::SP_MediaSkipBackward);
  forwardAction = make(tr("&Forward 5 seconds"), QKeySequence(Qt::SHIFT | Qt::Key_Right), QStyle::SP_MediaSkipForward);
  muteAction = make(tr("&Mute"), QKeySequence(Qt::Key_M), QStyle::SP_MediaVolume);
  muteAction->setCheckable(true);
  connect(muteAction, &QAction::toggled, this, [this](bool on) {
    muteAction->setIcon(window_->style()->standardIcon(on ? QStyle::SP_MediaVolumeMuted : QStyle::SP_MediaVolume));
  });

  swapAudioAction = make(tr("&Swap audio…"), QKeySequence(tr("Ctrl+A")));
  originalAudioAction = make(tr("&Original audio"), QKeySequence(tr("Ctrl+R")));
  chooseModelAction = make(tr("Choose &model folder…"), QKeySequence(tr("Ctrl+M")));
  aboutModelAction = make(tr("&About this model…"), QKeySequence());
  aboutModelAction->setToolTip(tr("What the loaded model is, how it was trained and how it did on the benchmark"));

  makeChoiceGroups();

  // Tools ▸ Train model…: the CLI's trainer in a background process (TrainingDialog).
  trainAction = new QAction(tr("&Train model…"), window);
  trainAction->setShortcut(QKeySequence(tr("Ctrl+T")));
  trainAction->setToolTip(tr("Train AVOL-Net / AVE-Net / L3-Net on a dataset folder or a scene pack"));
}

void ViewerActions::makeChoiceGroups() {
  views_ = new QActionGroup(window_);
  const std::pair<QString, ViewMode> views[] = {
      {tr("&Overlay"), ViewMode::Overlay}, {tr("&Map only"), ViewMode::MapOnly}, {tr("&Side by side"), ViewMode::SideBySide}};
  int n = 1;
  for (const auto& [text, mode] : views) {
    // The shortcuts 1, 2, 3 are also how `soundspot --view` picks one.
    auto* a = makeAction(window_, text, QKeySequence(QString::number(n++)));
    a->setCheckable(true);
    a->setData(static_cast<int>(mode));
    views_->addAction(a);
    connect(a, &QAction::triggered, this, [this, mode = mode] { Q_EMIT viewModeChosen(mode); });
  }
  views_->actions().first()->setChecked(true);

  colormaps_ = new QActionGroup(window_);
  for (engine::Colormap cmap : engine::allColormaps()) {
    QString name = QString::fromStdString(engine::toString(cmap));
    name[0] = name[0].toUpper();
    auto* a = makeAction(window_, name, {});
    a->setCheckable(true);
    a->setData(QString::fromStdString(engine::toString(cmap)));
    colormaps_->addAction(a);
    connect(a, &QAction::triggered, this, [this, cmap] { Q_EMIT colormapChosen(cmap); });
  }
  colormaps_->actions().first()->setChecked(true);

  devices_ = new QActionGroup(window_);
  for (nn::DeviceChoice d : {nn::DeviceChoice::Auto, nn::DeviceChoice::Cpu, nn::DeviceChoice::Cuda}) {
    const QString text = d == nn::DeviceChoice::Auto ? tr("&Auto") : d == nn::DeviceChoice::Cpu ? tr("&CPU") : tr("C&UDA");
    auto* a = makeAction(window_, text, {});
    a->setCheckable(true);
    a->setData(QString::fromStdString(nn::toString(d)));
    devices_->addAction(a);
    connect(a, &QAction::triggered, this, [this, d] { Q_EMIT deviceChosen(d); });
  }
  devices_->actions().first()->setChecked(true);
}

void ViewerActions::buildMenus(QAction* retrievalToggle) {
  QMenuBar* bar = window_->menuBar();
  QMenu* file = bar->addMenu(tr("&File"));
  file->addAction(openAction);
  recentMenu = file->addMenu(tr("Open &recent"));
  file->addAction(exportAction);
  file->addSeparator();
  file->addAction(quitAction);

  QMenu* playback = bar->addMenu(tr("&Playback"));
  playback->addAction(playAction);
  playback->addSeparator();
  playback->addAction(stepBackAction);
  playback->addAction(stepForwardAction);
  playback->addAction(backAction);
  playback->addAction(forwardAction);
  playback->addSeparator();
  playback->addAction(muteAction);

  QMenu* audio = bar->addMenu(tr("&Audio"));
  audio->addAction(swapAudioAction);
  audio->addAction(originalAudioAction);

  QMenu* view = bar->addMenu(tr("&View"));
  view->addActions(views_->actions());
  view->addSeparator();
  QMenu* colormap = view->addMenu(tr("&Colormap"));
  colormap->addActions(colormaps_->actions());
  view->addSeparator();
  view->addAction(retrievalToggle);

  QMenu* model = bar->addMenu(tr("&Model"));
  model->addAction(chooseModelAction);
  model->addAction(aboutModelAction);
  QMenu* device = model->addMenu(tr("&Device"));
  device->addActions(devices_->actions());

  QMenu* tools = bar->addMenu(tr("&Tools"));
  tools->addAction(trainAction);

  QMenu* help = bar->addMenu(tr("&Help"));
  help->addAction(tr("&About SoundSpot"), this, [this] {
    QMessageBox::about(window_, tr("About SoundSpot"),
                       tr("<h3>SoundSpot %1</h3><p>Shows where the sound in a video comes from, with AVOL-Net from "
                          "<i>Objects that Sound</i> (Arandjelović &amp; Zisserman, ECCV 2018).</p>"
                          "<p>Drop a video on the window to open it; drop another clip on the audio panel to hear "
                          "what it would make sound.</p><p>GPL-3.0-or-later</p>")
                           .arg(SOUNDSPOT_VERSION));
  });
}

void ViewerActions::buildToolBar() {
  QToolBar* bar = window_->addToolBar(tr("Playback"));
  bar->setObjectName("playbackToolBar");  // saveState() knows it by this name
  bar->setMovable(false);
  bar->addAction(openAction);
  bar->addSeparator();
  bar->addAction(backAction);
  bar->addAction(stepBackAction);
  bar->addAction(playAction);
  bar->addAction(stepForwardAction);
  bar->addAction(forwardAction);
  bar->addSeparator();
  bar->addAction(muteAction);
  volumeSlider = new QSlider(Qt::Horizontal, bar);
  volumeSlider->setRange(0, 100);
  volumeSlider->setMaximumWidth(100);
  volumeSlider->setToolTip(tr("Volume"));
  volumeSlider->setFocusPolicy(Qt::NoFocus);
  connect(volumeSlider, &QSlider::valueChanged, this, [this](int v) { Q_EMIT volumeChanged(v / 100.f); });
  bar->addWidget(volumeSlider);
  bar->addSeparator();

  auto addSlider = [&](const QString& label, const QString& tip, void (ViewerActions::*changed)(float)) {
    bar->addWidget(new QLabel(label, bar));
    auto* s = new QSlider(Qt::Horizontal, bar);
    s->setRange(0, 100);
    s->setMaximumWidth(110);
    s->setToolTip(tip);
    s->setFocusPolicy(Qt::NoFocus);
    connect(s, &QSlider::valueChanged, this, [this, changed](int v) { Q_EMIT(this->*changed)(v / 100.f); });
    bar->addWidget(s);
    return s;
  };
  opacitySlider = addSlider(tr(" Opacity "), tr("How strongly the map is drawn over the picture"),
                            &ViewerActions::opacityChanged);
  thresholdSlider = addSlider(tr(" Threshold "), tr("Map values below this are not drawn"), &ViewerActions::thresholdChanged);
  bar->addSeparator();
  bar->addAction(exportAction);
}

void ViewerActions::showPlayback(bool playing, bool mediaOpen, bool audioSwapped) {
  playAction->setText(playing ? tr("&Pause") : tr("&Play"));
  playAction->setIcon(window_->style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
  for (QAction* a : {playAction, stepBackAction, stepForwardAction, backAction, forwardAction, exportAction, swapAudioAction})
    a->setEnabled(mediaOpen);
  originalAudioAction->setEnabled(audioSwapped);
}

void ViewerActions::checkDevice(nn::DeviceChoice device) {
  for (QAction* a : devices_->actions()) a->setChecked(a->data().toString().toStdString() == nn::toString(device));
}

void ViewerActions::chooseColormap(const QString& name) {
  for (QAction* a : colormaps_->actions())
    if (a->data().toString() == name) a->trigger();
}

void ViewerActions::chooseViewMode(int mode) {
  for (QAction* a : views_->actions())
    if (a->data().toInt() == mode) a->trigger();
}

QString ViewerActions::colormapName() const {
  const QAction* a = colormaps_->checkedAction();
  return a ? a->data().toString() : QString();
}

engine::OverlayStyle ViewerActions::overlayStyle() const {
  engine::OverlayStyle style;
  style.colormap = engine::parseColormap(colormapName().toStdString());
  style.opacity = opacitySlider->value() / 100.f;
  style.threshold = thresholdSlider->value() / 100.f;
  return style;
}

void ViewerActions::restore(const ViewerSettings& settings) {
  chooseColormap(settings.colormap);
  chooseViewMode(settings.viewMode);
  opacitySlider->setValue(settings.opacity);
  thresholdSlider->setValue(settings.threshold);
  // Said also when a slider kept its value (and so said nothing).
  Q_EMIT opacityChanged(opacitySlider->value() / 100.f);
  Q_EMIT thresholdChanged(thresholdSlider->value() / 100.f);
  volumeSlider->setValue(settings.volume);
  checkDevice(settings.device);
}

void ViewerActions::store(ViewerSettings& settings) const {
  settings.colormap = colormapName();
  const QAction* view = views_->checkedAction();
  settings.viewMode = view ? view->data().toInt() : -1;
  settings.opacity = opacitySlider->value();
  settings.threshold = thresholdSlider->value();
  settings.volume = volumeSlider->value();
}

}  // namespace soundspot::ui
