#pragma once
// The window's actions: every QAction with its text, shortcut, icon and tool
// tip, the menus and the tool bar that show them, and the tool bar's volume,
// opacity and threshold sliders. MainWindow connects what the actions do;
// the choices made here (view mode, colormap, device, sliders) come out as
// signals.
#include "core/engine/Colormap.h"
#include "core/engine/Overlay.h"
#include "core/nn/Device.h"
#include "ui/PictureView.h"

#include <QObject>

class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;
class QSlider;

namespace soundspot::ui {

struct ViewerSettings;

class ViewerActions : public QObject {
  Q_OBJECT
 public:
  // The actions are children of `window`: its shortcuts, its findChildren().
  explicit ViewerActions(QMainWindow* window);

  // The menu bar: File, Playback, Audio, View (with `retrievalToggle`), Model, Tools, Help.
  void buildMenus(QAction* retrievalToggle);
  // The playback tool bar with the sliders.
  void buildToolBar();

  // What the actions show of playback: Play or Pause; what needs an open
  // video (play, step, seek, export, swap); Original audio once swapped.
  void showPlayback(bool playing, bool mediaOpen, bool audioSwapped);
  void checkDevice(nn::DeviceChoice device);
  // Chooses the remembered view, colormap, sliders and device (the signals
  // follow, as after a click), or writes down the current ones.
  void restore(const ViewerSettings& settings);
  void store(ViewerSettings& settings) const;
  // The colormap, opacity and threshold chosen (what File ▸ Export draws with).
  engine::OverlayStyle overlayStyle() const;

  QAction *openAction{}, *exportAction{}, *quitAction{}, *playAction{}, *stepBackAction{}, *stepForwardAction{},
      *backAction{}, *forwardAction{}, *muteAction{}, *swapAudioAction{}, *originalAudioAction{},
      *chooseModelAction{}, *aboutModelAction{}, *trainAction{};
  QMenu* recentMenu = nullptr;  // filled by RecentFilesMenu
  QSlider *volumeSlider{}, *opacitySlider{}, *thresholdSlider{};  // percent

 Q_SIGNALS:
  void viewModeChosen(ViewMode mode);
  void colormapChosen(engine::Colormap colormap);
  void deviceChosen(nn::DeviceChoice device);
  void volumeChanged(float volume);  // 0..1, also the two below
  void opacityChanged(float opacity);
  void thresholdChanged(float threshold);

 private:
  void makeChoiceGroups();
  void chooseColormap(const QString& name);
  void chooseViewMode(int mode);
  QString colormapName() const;  // the checked colormap, as engine::toString names it

  QMainWindow* window_;
  QActionGroup* views_ = nullptr;
  QActionGroup* colormaps_ = nullptr;
  QActionGroup* devices_ = nullptr;
};

}  // namespace soundspot::ui
