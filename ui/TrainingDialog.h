#pragma once
// Tools ▸ Train model…: chooses the data (a folder of the user's own videos,
// a dataset folder or a scene asset pack), from scratch or starting from the
// bundled model, the network and the training options, then runs the same trainer
// as `soundspot-cli train` in a background process (TrainingRun) with live
// loss / AVC-accuracy curves, a progress bar with ETA and the trainer's log.
// Cancel stops cleanly (checkpoint + usable model folder); at the end an
// AVOL-Net can be loaded into the viewer (loadModelRequested).
#include "ui/TrainingRun.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTimer;

namespace soundspot::ui {

class TrainingCurves;

class TrainingDialog : public QDialog {
  Q_OBJECT
 public:
  using State = TrainingRun::State;

  explicit TrainingDialog(QWidget* parent = nullptr);
  ~TrainingDialog() override;

  // The soundspot-cli to run (default: next to this executable).
  void setProgram(const QString& program);
  // Off (tests, screenshots): no message boxes; questions are answered yes.
  void setInteractive(bool interactive) { interactive_ = interactive; }

  // The form, for callers and tests.
  void setDataPath(const QString& path);
  void setArch(const QString& arch);  // avol | ave | l3
  void setObjective(const QString& objective);  // avc | contrastive
  void setSteps(int steps);
  void setBatch(int batch);
  void setLearningRate(double lr);
  void setWidth(int width);
  void setProcesses(int processes);  // data-parallel ranks on this machine
  void setDevice(const QString& device);  // auto | cpu | cuda
  void setOutputDir(const QString& dir);
  void setResume(bool resume);
  // Fine-tune the bundled model of the chosen architecture (its width and
  // towers, a gentler learning rate); freeze: "" | vision | audio.
  void setStartFromBundled(bool on);
  void setFreeze(const QString& freeze);
  // resources/models/<arch> when it holds a model, else "".
  QString bundledModelDir() const;

  // The first problem with the form ("" when it can start); shown inline.
  QString validate() const;
  QString validationMessage() const;
  TrainingRequest request() const;

  bool start();   // false when the form is invalid or the process cannot start
  void cancel();  // clean stop (SIGINT); the run ends Cancelled with a model folder
  // Not running: true. Running: asks (unless not interactive), and on yes
  // cancels and waits for the clean stop; true when it has stopped.
  bool confirmStop();

  State state() const { return run_->state(); }
  TrainingRun* run() const { return run_; }
  TrainingCurves* curves() const { return curves_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* loadButton() const { return load_; }
  QCheckBox* averageWeightsBox() const { return averageWeights_; }
  QCheckBox* dropHardestBox() const { return dropHardest_; }
  QProgressBar* progressBar() const { return progress_; }
  QString statusText() const;
  QString logText() const;

 Q_SIGNALS:
  void loadModelRequested(const QString& modelDir);
  void stateChanged(soundspot::ui::TrainingRun::State state);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void reject() override;

 private:
  void buildUi();
  void refresh();  // validation + which controls are enabled
  void updateProgress();
  void onStateChanged(State s);
  void onMetric(const TrainingMetric& m);
  void offerToLoad();
  void chooseDatasetFolder();
  void chooseVideoFolder();
  void applyBundledModel();  // width, towers and learning rate follow the "start from" choice
  void choosePack();
  void chooseOutputDir();
  QString defaultOutputDir() const;
  int64_t checkpointStep() const;  // -1 when OUT has no checkpoint

  TrainingRun* run_ = nullptr;
  TrainingCurves* curves_ = nullptr;
  QLineEdit* data_ = nullptr;
  QLabel* dataInfo_ = nullptr;
  QComboBox* arch_ = nullptr;
  QComboBox* objective_ = nullptr;
  QSpinBox* steps_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QLineEdit* lr_ = nullptr;
  QSpinBox* width_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* processes_ = nullptr;
  QLineEdit* out_ = nullptr;
  QCheckBox* resume_ = nullptr;
  QCheckBox* fromBundled_ = nullptr;
  QCheckBox* dropHardest_ = nullptr;
  bool dropHardestChoice_ = true;  // the user's choice, kept while AVC shows the box empty
  QCheckBox* averageWeights_ = nullptr;
  QComboBox* freeze_ = nullptr;
  QLabel* message_ = nullptr;
  QLabel* status_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QPlainTextEdit* log_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* load_ = nullptr;
  QPushButton* close_ = nullptr;
  QTimer* clock_ = nullptr;
  QWidget* form_ = nullptr;
  bool interactive_ = true;
  bool outputEdited_ = false;
  bool lrEdited_ = false;
  QString bundledTower_ = "paper";
  bool closing_ = false;
  bool cudaAvailable_ = false;
};

}  // namespace soundspot::ui
