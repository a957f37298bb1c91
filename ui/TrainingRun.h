#pragma once
// One `soundspot-cli train` run in a background process, as the viewer's
// training dialog drives it: the same trainer as on the command line. It
// tails OUT/metrics.jsonl for the curves, forwards the CLI's stderr as clean
// log lines, and cancels cleanly with SIGINT (the CLI then saves a checkpoint
// and the model folder). States: Idle -> Running -> Finished | Cancelled | Failed.
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <cstdint>
#include <optional>

namespace soundspot::ui {

// What to train; arguments() is the `train` command line.
struct TrainingRequest {
  QString data;           // dataset folder (dataset.json), a folder of videos, or a scene pack (.sspack)
  bool scenes = false;    // data is a scene asset pack
  QString arch = "avol";  // avol | ave | l3
  QString objective = "avc";  // avc | contrastive
  QString device = "auto";    // auto | cpu | cuda
  QString out;            // model folder to write
  int64_t steps = 1000, batch = 16, valEvery = 0;
  double lr = 1e-4;
  int width = 64;
  int processes = 1;        // > 1: data-parallel ranks on this machine (train --nproc); batch is per rank
  QString tower = "paper";  // paper | compact
  QString init;             // fine-tune from this model folder ("" = from scratch)
  QString freeze;           // "" | vision | audio (with init)
  bool resume = false;
  double dropHardest = 0;   // contrastive: fraction of each batch's hardest pairs left out (train --drop-hardest-pairs)
  double weightAverageDecay = 0;  // > 0: save the moving average of the weights (train --weight-average-decay)
  QStringList arguments() const;  // "train --data ... --out ..." (info logging via SOUNDSPOT_LOG=info)
};

// One line of metrics.jsonl.
struct TrainingMetric {
  int64_t step = 0;
  double loss = 0, trainAccuracy = 0, lr = 0, samplesPerSecond = 0;
  std::optional<double> valAccuracy;
};

class TrainingRun : public QObject {
  Q_OBJECT
 public:
  enum class State { Idle, Running, Finished, Cancelled, Failed };

  explicit TrainingRun(QObject* parent = nullptr);
  ~TrainingRun() override;  // a run still going is cancelled (and killed if it does not stop)

  // soundspot-cli next to this executable unless set.
  static QString defaultProgram();
  void setProgram(const QString& program) { program_ = program; }
  QString program() const { return program_; }

  // Starts the process (Running). False (and Failed) when it cannot start.
  bool start(const TrainingRequest& request);
  // Asks the trainer to stop: SIGINT once the CLI has installed its handler
  // (before that the request waits), so the run ends Cancelled with a model folder.
  void cancel();
  // Runs the event loop until the run is no longer Running (or timeoutMs); false on timeout.
  bool waitForEnd(int timeoutMs);

  State state() const { return state_; }
  bool isRunning() const { return state_ == State::Running; }
  bool cancelRequested() const { return cancelRequested_; }
  const TrainingRequest& request() const { return request_; }
  QString errorText() const { return error_; }
  QJsonObject result() const { return result_; }  // the CLI's JSON result line
  int64_t lastStep() const { return lastStep_; }
  double samplesPerSecond() const { return samplesPerSecond_; }  // smoothed
  double elapsedSeconds() const;
  double etaSeconds() const;  // -1 when unknown
  bool modelWritten() const;  // OUT/card.json exists

  static QString stateName(State s);
  static bool parseMetricLine(const QByteArray& line, TrainingMetric* out);
  // Splits process output into printable lines: carriage-return redraws keep
  // only their last part, ANSI escapes go, empty lines go.
  static QStringList cleanLogLines(const QString& text);

 Q_SIGNALS:
  void stateChanged(soundspot::ui::TrainingRun::State state);
  void metric(const soundspot::ui::TrainingMetric& m);
  void logLine(const QString& line);

 private:
  void setState(State s);
  void readStderr();
  void pollMetrics();
  void onFinished(int exitCode, QProcess::ExitStatus status);
  void sendInterrupt();
  void markTrainerReady();

  QString program_;
  TrainingRequest request_;
  QProcess* process_ = nullptr;
  QTimer poll_;
  QElapsedTimer clock_;
  State state_ = State::Idle;
  bool cancelRequested_ = false, interruptSent_ = false, trainerReady_ = false;
  QString error_, lastErrorLine_, stderrPartial_;
  QByteArray stdout_, metricsPartial_;
  qint64 metricsOffset_ = 0;
  QJsonObject result_;
  int64_t lastStep_ = 0, firstStep_ = -1;
  double samplesPerSecond_ = 0, firstStepSeconds_ = 0;
};

}  // namespace soundspot::ui
