#pragma once
// The viewer's main window: plays a video with the audio as the clock, shows
// where the sound comes from (Localizer maps drawn by the PictureView), and
// lets the user swap the audio. Settings are remembered with QSettings.
#include "core/engine/Soundtrack.h"
#include "core/nn/Device.h"
#include "ui/PictureView.h"

#include <QMainWindow>
#include <QPointF>
#include <QTimer>

#include <filesystem>
#include <memory>
#include <vector>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QSlider;

namespace soundspot::media {
class MediaReader;
}
namespace soundspot::engine {
class Localizer;
}

namespace soundspot::ui {

class AudioPanel;
class AudioPlayer;
class RetrievalPanel;
class Timeline;
class TrainingDialog;

// How far the shown frame was from the audio clock while playing.
struct SyncStats {
  int64_t samples = 0;
  double maxLagSeconds = 0;   // |clock - pts of the shown frame|, worst case
  double minLagSeconds = 0;   // < 0: a frame was shown before its time
  double sumLagSeconds = 0;
  int64_t wrongFrames = 0;    // ticks that showed another frame than the one the clock was in
  double meanLag() const { return samples ? sumLagSeconds / samples : 0; }
};

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Each returns false (after showing the message) on failure.
  bool openMedia(const QString& path);
  bool swapAudio(const QString& path, double offset);
  void restoreOriginalAudio();
  bool setModelDir(const QString& dir);
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
  engine::Localizer* localizer() const { return localizer_.get(); }
  std::shared_ptr<const engine::Soundtrack> activeSoundtrack() const { return active_; }
  const SyncStats& syncStats() const { return sync_; }
  QString lastError() const { return lastError_; }
  QString statusText() const;
  // Messages go to a (non-modal) message box; off, they are only logged and kept in lastError().
  void setShowMessageBoxes(bool show) { showMessageBoxes_ = show; }
  // Writes the overlay video (progress dialog, cancellable). False on failure or cancel.
  bool exportOverlay(const QString& output);
  // Tools ▸ Train model…: shows the training dialog (made on first use).
  TrainingDialog* showTrainingDialog();
  TrainingDialog* trainingDialog() const { return training_; }
  // View ▸ Retrieval panel (Ctrl+F): a dock with the cross-modal retrieval browser.
  RetrievalPanel* retrievalPanel() const { return retrieval_; }
  QDockWidget* retrievalDock() const { return retrievalDock_; }
  void showRetrievalPanel();
  // A region query at normalised frame coordinates (what a Ctrl+click on the picture does).
  void queryRegionAt(QPointF framePoint);
  // Opens `media` (when it is not the open video) and seeks to `time`.
  bool openClipAt(const QString& media, double time);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void buildActions();
  void buildMenus();
  void buildToolBar();
  void loadSettings();
  void saveSettings();
  void showError(const QString& title, const QString& message);
  void addRecentFile(const QString& path);
  void rebuildRecentMenu();
  void startLocalizer();
  void applySoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack);
  void tick();
  void showFrameAt(double t);
  void updateStatus();
  void updatePlayActions();
  int64_t frameIndexAt(double t) const;
  void chooseOpenFile();
  void chooseAudioFile();
  void chooseModelDir();
  void chooseExportFile();

  PictureView* picture_ = nullptr;
  Timeline* timeline_ = nullptr;
  AudioPanel* audioPanel_ = nullptr;
  AudioPlayer* player_ = nullptr;
  QSlider* volume_ = nullptr;
  QSlider* opacity_ = nullptr;
  QSlider* threshold_ = nullptr;
  QLabel* timeLabel_ = nullptr;
  QLabel* inferenceLabel_ = nullptr;
  QLabel* syncLabel_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QAction *openAction_{}, *exportAction_{}, *quitAction_{}, *playAction_{}, *stepBackAction_{}, *stepForwardAction_{},
      *backAction_{}, *forwardAction_{}, *muteAction_{}, *swapAudioAction_{}, *originalAudioAction_{},
      *chooseModelAction_{};
  QActionGroup* viewGroup_ = nullptr;
  QActionGroup* colormapGroup_ = nullptr;
  QActionGroup* deviceGroup_ = nullptr;
  QTimer tick_;
  QTimer statusTimer_;

  QString mediaPath_;
  std::unique_ptr<media::MediaReader> reader_;
  std::vector<double> times_;
  double duration_ = 0, fps_ = 25;
  int64_t shownIndex_ = -1;
  // Which maps the picture shows (to redraw only when they change).
  struct MapKey {
    int64_t frame = -1;
    bool valid = false;
    double before = -1, after = -1;
    uint64_t generation = 0;
    bool operator==(const MapKey& o) const {
      return frame == o.frame && valid == o.valid && before == o.before && after == o.after && generation == o.generation;
    }
  };
  MapKey shownMap_;
  std::shared_ptr<const engine::Soundtrack> original_, active_;
  std::unique_ptr<engine::Localizer> localizer_;
  QString modelDir_;
  nn::DeviceChoice device_ = nn::DeviceChoice::Auto;
  bool resumeAfterPreview_ = false;  // a retrieval preview paused playback
  QStringList recentFiles_;
  SyncStats sync_;
  QString lastError_;
  bool showMessageBoxes_ = true;
  TrainingDialog* training_ = nullptr;  // Tools ▸ Train model…
  RetrievalPanel* retrieval_ = nullptr;
  QDockWidget* retrievalDock_ = nullptr;
  ViewMode viewMode_ = ViewMode::Overlay;
};

}  // namespace soundspot::ui
