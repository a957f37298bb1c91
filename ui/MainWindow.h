#pragma once
// The viewer's main window: plays a video with the audio as the clock, shows
// where the sound comes from (Localizer maps drawn by the PictureView), and
// lets the user swap the audio. It lays out the widgets and wires together
// the parts that do the work: PlaybackController (the video against the
// audio clock), MapController (model, device and maps), AudioSwap (which
// audio is heard), RetrievalDock, ViewerActions (menus and tool bar),
// RecentFilesMenu, StatusReadout and ViewerSettings (what is remembered).
// MainWindow.cpp builds and wires it; MainWindowCommands.cpp holds its commands.
#include "core/engine/Soundtrack.h"
#include "core/nn/Device.h"
#include "ui/PictureView.h"
#include "ui/SyncStats.h"

#include <QMainWindow>
#include <QPointF>

#include <memory>

class QDockWidget;

namespace soundspot::engine {
class Localizer;
}

namespace soundspot::ui {

class AudioPanel;
class AudioSwap;
class MapController;
class PlaybackController;
class RecentFilesMenu;
class RetrievalDock;
class RetrievalPanel;
class StatusReadout;
class Timeline;
class TrainingDialog;
class ViewerActions;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Each returns false (after showing the message) on failure.
  // audioFollows: another file's audio is swapped in next (the viewer's
  // --audio), so a file without sound is not worth a message.
  bool openMedia(const QString& path, bool audioFollows = false);
  bool swapAudio(const QString& path, double offset);
  void restoreOriginalAudio();
  bool setModelDir(const QString& dir);
  QString modelDir() const;
  bool setDevice(nn::DeviceChoice device);

  void play();
  void pause();
  void togglePlay();
  void seek(double seconds);
  void stepFrames(int frames);
  double position() const;
  bool isPlaying() const;

  PictureView* pictureView() const { return picture_; }
  AudioPanel* audioPanel() const { return audioPanel_; }
  engine::Localizer* localizer() const;
  std::shared_ptr<const engine::Soundtrack> activeSoundtrack() const;
  const SyncStats& syncStats() const;
  QString lastError() const { return lastError_; }
  void clearLastError() { lastError_.clear(); }
  QString statusText() const;
  // Messages go to a (non-modal) message box; off, they are only logged and kept in lastError().
  void setShowMessageBoxes(bool show) { showMessageBoxes_ = show; }
  // Writes the overlay video (progress dialog, cancellable). False on failure or cancel.
  bool exportOverlay(const QString& output);
  // Tools ▸ Train model…: shows the training dialog (made on first use).
  TrainingDialog* showTrainingDialog();
  TrainingDialog* trainingDialog() const { return training_; }
  // View ▸ Retrieval panel (Ctrl+F): a dock with the cross-modal retrieval browser.
  RetrievalPanel* retrievalPanel() const;
  QDockWidget* retrievalDock() const;
  void showRetrievalPanel();
  // A region query at normalised frame coordinates (what a Ctrl+click on the picture does).
  void queryRegionAt(QPointF framePoint);
  // Opens `media` (when it is not the open video) and seeks to `time`.
  bool openClipAt(const QString& media, double time);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void connectParts();
  void connectActions();
  void loadSettings();
  void saveSettings();
  void showError(const QString& title, const QString& message);
  // The maps of the open video with the current model, device and audio.
  void restartMaps();
  void useSoundtrack(const std::shared_ptr<const engine::Soundtrack>& soundtrack);
  void updatePlayActions();
  void chooseOpenFile();
  void chooseAudioFile();
  void chooseModelDir();
  // Model ▸ About this model…: the loaded model's card as a short page (ModelCardSummary).
  void showModelCard();
  void chooseExportFile();

  PictureView* picture_ = nullptr;
  Timeline* timeline_ = nullptr;
  AudioPanel* audioPanel_ = nullptr;
  PlaybackController* playback_ = nullptr;
  MapController* maps_ = nullptr;
  AudioSwap* audio_ = nullptr;
  RetrievalDock* retrievalDock_ = nullptr;
  ViewerActions* actions_ = nullptr;
  RecentFilesMenu* recent_ = nullptr;
  StatusReadout* status_ = nullptr;
  TrainingDialog* training_ = nullptr;  // Tools ▸ Train model…
  QString lastError_;
  bool showMessageBoxes_ = true;
};

}  // namespace soundspot::ui
