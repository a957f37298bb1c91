#include "ui/TrainingRun.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStandardPaths>

#include <spdlog/spdlog.h>

#include <csignal>
#include <sys/types.h>

namespace soundspot::ui {

namespace {
constexpr int kPollMs = 200;
constexpr int kStopGraceMs = 60000;  // the destructor's wait for a clean stop before killing
}  // namespace

QStringList TrainingRequest::arguments() const {
  QStringList a{"train", scenes ? "--scenes" : "--data", data, "--arch", arch, "--objective", objective,
                "--out", out, "--steps", QString::number(steps), "--batch", QString::number(batch),
                "--lr", QString::number(lr, 'g', 10), "--width", QString::number(width), "--tower", tower,
                "--device", device};
  if (!init.isEmpty()) a << "--init" << init;
  if (!init.isEmpty() && !freeze.isEmpty()) a << "--freeze" << freeze;
  if (valEvery > 0) a << "--val-every" << QString::number(valEvery);
  if (resume) a << "--resume";
  if (processes > 1) a << "--nproc" << QString::number(processes);
  if (dropHardest > 0) a << "--drop-hardest-pairs" << QString::number(dropHardest, 'g', 6);
  if (weightAverageDecay > 0) a << "--weight-average-decay" << QString::number(weightAverageDecay, 'g', 6);
  return a;
}

TrainingRun::TrainingRun(QObject* parent) : QObject(parent), program_(defaultProgram()) {
  poll_.setInterval(kPollMs);
  connect(&poll_, &QTimer::timeout, this, &TrainingRun::pollMetrics);
}

TrainingRun::~TrainingRun() {
  if (!process_) return;
  poll_.stop();
  process_->disconnect(this);
  if (process_->state() != QProcess::NotRunning) {
    cancelRequested_ = true;
    if (trainerReady_) sendInterrupt();
    if (!trainerReady_ || !process_->waitForFinished(kStopGraceMs)) {
      process_->kill();
      process_->waitForFinished(5000);
    }
  }
}

QString TrainingRun::defaultProgram() {
  const QString next = QCoreApplication::applicationDirPath() + "/soundspot-cli";
  if (QFileInfo(next).isExecutable()) return next;
  const QString onPath = QStandardPaths::findExecutable("soundspot-cli");
  return onPath.isEmpty() ? next : onPath;
}

QString TrainingRun::stateName(State s) {
  switch (s) {
    case State::Idle: return "idle";
    case State::Running: return "running";
    case State::Finished: return "finished";
    case State::Cancelled: return "cancelled";
    case State::Failed: return "failed";
  }
  return {};
}

void TrainingRun::setState(State s) {
  if (s == state_) return;
  state_ = s;
  spdlog::info("training run: {}", stateName(s).toStdString());
  Q_EMIT stateChanged(s);
}

bool TrainingRun::start(const TrainingRequest& request) {
  if (isRunning()) return false;
  request_ = request;
  cancelRequested_ = interruptSent_ = trainerReady_ = false;
  error_.clear();
  lastErrorLine_.clear();
  stderrPartial_.clear();
  stdout_.clear();
  metricsPartial_.clear();
  metricsOffset_ = 0;
  result_ = {};
  lastStep_ = 0;
  firstStep_ = -1;
  samplesPerSecond_ = 0;
  // A fresh run must not show the curves of an earlier one in the same folder
  // (the trainer clears the file too, but only after loading the data).
  if (!request.resume) QFile::remove(request.out + "/metrics.jsonl");

  if (process_) process_->deleteLater();
  process_ = new QProcess(this);
  process_->setProcessChannelMode(QProcess::SeparateChannels);
  // Info lines (the trainer's progress, "training ..." once Ctrl-C stops it
  // cleanly) but not -v's debug lines (one per decoded clip).
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("SOUNDSPOT_LOG", "info");
  process_->setProcessEnvironment(env);
  connect(process_, &QProcess::readyReadStandardError, this, &TrainingRun::readStderr);
  connect(process_, &QProcess::readyReadStandardOutput, this, [this] { stdout_ += process_->readAllStandardOutput(); });
  connect(process_, &QProcess::finished, this, &TrainingRun::onFinished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e != QProcess::FailedToStart || state_ != State::Running) return;
    poll_.stop();
    error_ = tr("Cannot start %1: %2").arg(program_, process_->errorString());
    Q_EMIT logLine(error_);
    setState(State::Failed);
  });
  clock_.start();
  setState(State::Running);
  spdlog::info("training: {} {}", program_.toStdString(), request.arguments().join(' ').toStdString());
  Q_EMIT logLine("$ soundspot-cli " + request.arguments().join(' '));
  process_->start(program_, request.arguments());
  if (state_ != State::Running) return false;  // FailedToStart was reported synchronously
  poll_.start();
  return true;
}

void TrainingRun::cancel() {
  if (!isRunning() || cancelRequested_) return;
  cancelRequested_ = true;
  Q_EMIT logLine(trainerReady_ ? tr("Stopping: the trainer saves a checkpoint and the model…")
                               : tr("Stopping as soon as the trainer has started (the data is still loading)…"));
  if (trainerReady_) sendInterrupt();
}

void TrainingRun::sendInterrupt() {
  if (interruptSent_ || !process_ || process_->state() != QProcess::Running) return;
  interruptSent_ = true;
  const qint64 pid = process_->processId();
  if (pid > 0) ::kill(static_cast<pid_t>(pid), SIGINT);  // one only: a second SIGINT exits at once
}

void TrainingRun::markTrainerReady() {
  if (trainerReady_) return;
  trainerReady_ = true;
  if (cancelRequested_) sendInterrupt();
}

bool TrainingRun::waitForEnd(int timeoutMs) {
  if (!isRunning()) return true;
  QEventLoop loop;
  QTimer timeout;
  timeout.setSingleShot(true);
  connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
  connect(this, &TrainingRun::stateChanged, &loop, [&loop](State s) {
    if (s != State::Running) loop.quit();
  });
  timeout.start(timeoutMs);
  loop.exec();
  return !isRunning();
}

double TrainingRun::elapsedSeconds() const { return clock_.isValid() ? clock_.elapsed() / 1000.0 : 0; }

double TrainingRun::etaSeconds() const {
  const int64_t remaining = request_.steps - lastStep_;
  if (remaining <= 0) return 0;
  // Wall time per step since the first step seen (includes validation), else the trainer's speed.
  if (firstStep_ >= 0 && lastStep_ > firstStep_)
    return (elapsedSeconds() - firstStepSeconds_) / static_cast<double>(lastStep_ - firstStep_) * remaining;
  if (samplesPerSecond_ > 0) return remaining * static_cast<double>(request_.batch) / samplesPerSecond_;
  return -1;
}

bool TrainingRun::modelWritten() const { return !request_.out.isEmpty() && QFileInfo::exists(request_.out + "/card.json"); }

bool TrainingRun::parseMetricLine(const QByteArray& line, TrainingMetric* out) {
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject()) return false;
  const QJsonObject o = doc.object();
  if (!o.contains("step") || !o.contains("loss")) return false;
  TrainingMetric m;
  m.step = static_cast<int64_t>(o.value("step").toDouble());
  m.loss = o.value("loss").toDouble();
  m.trainAccuracy = o.value("train_acc").toDouble();
  m.lr = o.value("lr").toDouble();
  m.samplesPerSecond = o.value("samples_per_s").toDouble();
  if (o.contains("val_acc") && o.value("val_acc").isDouble()) m.valAccuracy = o.value("val_acc").toDouble();
  *out = m;
  return true;
}

QStringList TrainingRun::cleanLogLines(const QString& text) {
  static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;?]*[ -/]*[@-~]"));
  QStringList lines;
  for (QString line : text.split('\n')) {
    line.remove(ansi);
    const qsizetype cr = line.lastIndexOf('\r');
    if (cr >= 0) line = line.mid(cr + 1);  // a terminal redraw: only the last state counts
    line.remove(QRegularExpression(QStringLiteral("[\\x00-\\x08\\x0b-\\x1f\\x7f]")));
    if (!line.trimmed().isEmpty()) lines << line.trimmed();
  }
  return lines;
}

void TrainingRun::readStderr() {
  QString text = stderrPartial_ + QString::fromUtf8(process_->readAllStandardError());
  const qsizetype end = text.lastIndexOf('\n');
  stderrPartial_ = end >= 0 ? text.mid(end + 1) : text;
  if (end < 0) return;
  for (const QString& line : cleanLogLines(text.left(end))) {
    // Logged right after the CLI installs its Ctrl-C handler: from now on SIGINT stops cleanly.
    if (line.contains(QStringLiteral("] training ")) && line.contains(QStringLiteral(" steps, batch "))) markTrainerReady();
    if (line.contains(QStringLiteral("error"), Qt::CaseInsensitive)) lastErrorLine_ = line;
    Q_EMIT logLine(line);
  }
}

void TrainingRun::pollMetrics() {
  QFile file(request_.out + "/metrics.jsonl");
  if (!file.exists()) return;
  if (file.size() < metricsOffset_) {  // started again (the trainer removed it): read from the top
    metricsOffset_ = 0;
    metricsPartial_.clear();
  }
  if (file.size() == metricsOffset_ || !file.open(QIODevice::ReadOnly)) return;
  file.seek(metricsOffset_);
  const QByteArray chunk = file.readAll();
  metricsOffset_ += chunk.size();
  metricsPartial_ += chunk;
  const qsizetype end = metricsPartial_.lastIndexOf('\n');
  if (end < 0) return;  // half a line: wait for the rest
  const QByteArray complete = metricsPartial_.left(end);
  metricsPartial_ = metricsPartial_.mid(end + 1);
  for (const QByteArray& line : complete.split('\n')) {
    TrainingMetric m;
    if (!parseMetricLine(line.trimmed(), &m)) continue;
    lastStep_ = m.step;
    if (m.samplesPerSecond > 0)
      samplesPerSecond_ = samplesPerSecond_ == 0 ? m.samplesPerSecond : 0.8 * samplesPerSecond_ + 0.2 * m.samplesPerSecond;
    // Resumed runs list the earlier steps first: only the log line says when this run is training.
    if (!request_.resume) markTrainerReady();
    if (firstStep_ < 0 && trainerReady_) {
      firstStep_ = m.step;
      firstStepSeconds_ = elapsedSeconds();
    }
    Q_EMIT metric(m);
  }
}

void TrainingRun::onFinished(int exitCode, QProcess::ExitStatus status) {
  poll_.stop();
  readStderr();
  if (!stderrPartial_.isEmpty()) {
    stderrPartial_ += '\n';
    readStderr();
  }
  stdout_ += process_->readAllStandardOutput();
  pollMetrics();
  for (const QByteArray& line : stdout_.split('\n')) {
    const QJsonDocument doc = QJsonDocument::fromJson(line.trimmed());
    if (doc.isObject()) result_ = doc.object();
  }
  if (status != QProcess::NormalExit) {
    error_ = cancelRequested_ && !interruptSent_ ? tr("The trainer was stopped before it started training.")
                                                 : tr("The trainer was stopped by a signal (it crashed or was killed).");
  } else if (exitCode != 0) {
    error_ = !lastErrorLine_.isEmpty() ? lastErrorLine_ : tr("The trainer exited with code %1.").arg(exitCode);
  } else if (!modelWritten()) {
    error_ = tr("The trainer ended but wrote no model to %1.").arg(request_.out);
  }
  if (!error_.isEmpty()) {
    Q_EMIT logLine(error_);
    setState(State::Failed);
    return;
  }
  const bool cancelled = result_.value("cancelled").toBool(cancelRequested_);
  Q_EMIT logLine(cancelled ? tr("Stopped at step %1; the model folder %2 is usable, and --resume continues it.")
                                 .arg(result_.value("steps").toInteger(lastStep_))
                                 .arg(request_.out)
                           : tr("Done: %1 steps, model in %2.").arg(result_.value("steps").toInteger(lastStep_)).arg(request_.out));
  setState(cancelled ? State::Cancelled : State::Finished);
}

}  // namespace soundspot::ui
