#include "ui/TrainingDialog.h"

#include "core/common/Paths.h"
#include "core/common/Progress.h"
#include "core/data/MediaFolder.h"
#include "core/nn/Device.h"
#include "ui/TrainingCurves.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace soundspot::ui {
namespace {

constexpr int kStopWaitMs = 180000;  // a step, then the checkpoint and the model folder
constexpr double kDropHardestFraction = 0.25;  // the shipped AVOL-Net's (training/recipes/cpu-shipped-models.sh)
constexpr double kWeightAverageDecay = 0.999;  // the same recipe's: about the last 1,000 steps

struct DataCheck {
  QString error, note;
  bool scenes = false;
};

// A folder without dataset.json: its videos (searched recursively) are the
// data. Listing a big folder takes a moment, so the answer is kept per path.
DataCheck checkVideoFolder(const QString& path) {
  static QString lastPath;
  static DataCheck last;
  if (path == lastPath) return last;
  DataCheck c;
  try {
    const auto listing = data::listMediaFiles(path.toStdString());
    const int n = static_cast<int>(listing.files.size());
    if (n < 2)
      c.error = QObject::tr("%1 has %2 video file(s) and no dataset.json: training needs at least two videos with sound.")
                    .arg(path)
                    .arg(n);
    else
      c.note = QObject::tr("Folder of %1 video file(s) (no dataset.json): each goes to training or validation (about "
                           "10 %) by its path; files without sound or shorter than 1 s are skipped. The split is "
                           "saved as split.json beside the model.")
                   .arg(n);
  } catch (const std::exception& e) {
    c.error = QString::fromStdString(e.what());
  }
  lastPath = path;
  last = c;
  return c;
}

// What the data path is and whether the CLI can train on it.
DataCheck checkData(const QString& path) {
  DataCheck c;
  if (path.trimmed().isEmpty()) {
    c.error = QObject::tr("Choose the data: a folder of your videos, a dataset folder (with dataset.json) or a scene asset pack (.sspack).");
    return c;
  }
  const QFileInfo info(path);
  if (!info.exists()) {
    c.error = QObject::tr("%1 does not exist.").arg(path);
    return c;
  }
  if (info.isFile()) {
    c.scenes = true;
    if (info.suffix().compare("sspack", Qt::CaseInsensitive) != 0)
      c.error = QObject::tr("%1 is not a scene asset pack (.sspack); for a dataset choose its folder.").arg(info.fileName());
    else
      c.note = QObject::tr("Scene asset pack: scenes are synthesised while training (train and val splits).");
    return c;
  }
  QFile file(QDir(path).filePath("dataset.json"));
  if (!file.exists()) return checkVideoFolder(path);
  if (!file.open(QIODevice::ReadOnly)) {
    c.error = QObject::tr("Cannot read %1.").arg(file.fileName());
    return c;
  }
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
  if (err.error != QJsonParseError::NoError) {
    c.error = QObject::tr("dataset.json is not valid JSON (%1 at byte %2).").arg(err.errorString()).arg(err.offset);
    return c;
  }
  const QJsonValue clips = doc.object().value("clips");
  if (!clips.isArray()) {
    c.error = QObject::tr("dataset.json has no \"clips\" list.");
    return c;
  }
  int train = 0, val = 0;
  for (const QJsonValue& clip : clips.toArray()) {
    const QString split = clip.toObject().value("split").toString();
    train += split.isEmpty() || split == "train";
    val += split.isEmpty() || split == "val";
  }
  if (train == 0) {
    c.error = QObject::tr("dataset.json has no clips in the \"train\" split (nor clips without a split).");
    return c;
  }
  c.note = val > 0 ? QObject::tr("Dataset: %1 training clip(s), %2 validation clip(s).").arg(train).arg(val)
                   : QObject::tr("Dataset: %1 training clip(s); no \"val\" clips, so no validation accuracy.").arg(train);
  return c;
}

bool isModelOrCheckpointFolder(const QDir& dir) {
  return dir.exists("card.json") || dir.exists("checkpoint") || dir.exists("metrics.jsonl") || dir.exists("split.json");
}

}  // namespace

TrainingDialog::TrainingDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Train a model — SoundSpot"));
  setModal(false);
  run_ = new TrainingRun(this);
  try {
    cudaAvailable_ = nn::cudaAvailable();
  } catch (...) {
    cudaAvailable_ = false;
  }
  buildUi();
  connect(run_, &TrainingRun::stateChanged, this, &TrainingDialog::onStateChanged);
  connect(run_, &TrainingRun::metric, this, &TrainingDialog::onMetric);
  connect(run_, &TrainingRun::logLine, this, [this](const QString& line) { log_->appendPlainText(line); });
  clock_ = new QTimer(this);
  clock_->setInterval(1000);
  connect(clock_, &QTimer::timeout, this, &TrainingDialog::updateProgress);
  out_->setText(defaultOutputDir());
  refresh();
  updateProgress();
}

TrainingDialog::~TrainingDialog() = default;  // ~TrainingRun stops a run still going

void TrainingDialog::buildUi() {
  form_ = new QGroupBox(tr("What to train"), this);
  auto* form = new QFormLayout(form_);
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

  data_ = new QLineEdit(form_);
  data_->setPlaceholderText(tr("folder of videos, dataset folder or scene pack"));
  data_->setToolTip(tr("Any folder of your own videos with sound (no labels needed), a dataset folder (dataset.json "
                       "with 'train' and 'val' clips) or a scene asset pack (.sspack)"));
  auto* videos = new QPushButton(tr("Folder of my videos…"), form_);
  auto* folder = new QPushButton(tr("Dataset…"), form_);
  auto* pack = new QPushButton(tr("Pack…"), form_);
  // The path gets the whole width; the three ways to choose it go below.
  auto* dataButtons = new QHBoxLayout;
  dataButtons->addWidget(videos);
  dataButtons->addWidget(folder);
  dataButtons->addWidget(pack);
  dataButtons->addStretch(1);
  auto* dataRow = new QVBoxLayout;
  dataRow->addWidget(data_);
  dataRow->addLayout(dataButtons);
  auto* dataLabel = new QLabel(tr("&Data:"), form_);
  dataLabel->setBuddy(data_);
  form->addRow(dataLabel, dataRow);
  dataInfo_ = new QLabel(form_);
  dataInfo_->setWordWrap(true);
  dataInfo_->setStyleSheet("color: palette(mid);");
  form->addRow(QString(), dataInfo_);

  arch_ = new QComboBox(form_);
  arch_->addItem(tr("AVOL-Net (localisation)"), "avol");
  arch_->addItem(tr("AVE-Net (retrieval)"), "ave");
  arch_->addItem(tr("L3-Net (baseline)"), "l3");
  form->addRow(tr("&Architecture:"), arch_);
  objective_ = new QComboBox(form_);
  objective_->addItem(tr("AVC (audio-visual correspondence)"), "avc");
  objective_->addItem(tr("Contrastive"), "contrastive");
  form->addRow(tr("&Objective:"), objective_);
  // Videos are full of sounds that nothing in the frame makes; left in, they
  // teach the background to answer any sound (docs/TRAINING-STUDY.md).
  dropHardest_ = new QCheckBox(tr("Leave out the hardest &quarter of each batch (likely off-screen sounds)"), form_);
  dropHardest_->setChecked(true);
  dropHardest_->setToolTip(tr("Contrastive: the quarter of the pairs of each batch with the highest loss get no "
                              "gradient (train --drop-hardest-pairs 0.25)"));
  form->addRow(QString(), dropHardest_);
  // The last step's weights carry the noise of the last few batches; their
  // running average is the better model (docs/TRAINING-STUDY.md).
  averageWeights_ = new QCheckBox(tr("Save the a&veraged weights (about the last 1,000 steps)"), form_);
  averageWeights_->setChecked(true);
  averageWeights_->setToolTip(tr("The model saved and validated is the moving average of the weights "
                                 "(train --weight-average-decay 0.999)"));
  form->addRow(QString(), averageWeights_);
  fromBundled_ = new QCheckBox(tr("Start from the &bundled model"), form_);
  fromBundled_->setToolTip(tr("Fine-tune the model that ships with SoundSpot on this data (its width and towers, "
                              "learning rate 1e-5) instead of training from scratch"));
  freeze_ = new QComboBox(form_);
  freeze_->addItem(tr("Train both towers"), "");
  freeze_->addItem(tr("Keep the vision tower fixed"), "vision");
  freeze_->addItem(tr("Keep the audio tower fixed"), "audio");
  auto* startRow = new QHBoxLayout;
  startRow->addWidget(fromBundled_);
  startRow->addWidget(freeze_, 1);
  form->addRow(tr("Start:"), startRow);

  steps_ = new QSpinBox(form_);
  steps_->setRange(1, 100000000);
  steps_->setValue(1000);
  steps_->setGroupSeparatorShown(true);
  form->addRow(tr("&Steps:"), steps_);
  batch_ = new QSpinBox(form_);
  batch_->setRange(1, 4096);
  batch_->setValue(16);
  batch_->setToolTip(tr("Pairs per batch (half corresponding, half not)"));
  form->addRow(tr("&Batch:"), batch_);
  lr_ = new QLineEdit("0.0001", form_);
  auto* lrValidator = new QDoubleValidator(0, 10, 12, lr_);
  lrValidator->setNotation(QDoubleValidator::ScientificNotation);
  lrValidator->setLocale(QLocale::c());
  lr_->setValidator(lrValidator);
  lr_->setToolTip(tr("Base learning rate (Adam), e.g. 1e-4"));
  form->addRow(tr("&Learning rate:"), lr_);
  width_ = new QSpinBox(form_);
  width_->setRange(1, 256);
  width_->setValue(64);
  width_->setToolTip(tr("Channels of the first conv block (the paper: 64)"));
  form->addRow(tr("&Width:"), width_);
  device_ = new QComboBox(form_);
  device_->addItem(tr("Auto"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA"), "cuda");
  form->addRow(tr("De&vice:"), device_);
  processes_ = new QSpinBox(form_);
  processes_->setRange(1, std::max(2, QThread::idealThreadCount()));
  processes_->setValue(1);
  processes_->setToolTip(tr("Data-parallel training in this many processes on this machine (c10d, Gloo): each "
                            "trains on its own batches with its share of the cores, and the gradients are averaged. "
                            "The curves and the model come from the first process."));
  form->addRow(tr("&Processes:"), processes_);

  out_ = new QLineEdit(form_);
  out_->setToolTip(tr("Model folder to write (card.json, weights, checkpoint/, metrics.jsonl)"));
  auto* browseOut = new QPushButton(tr("Browse…"), form_);
  auto* outRow = new QHBoxLayout;
  outRow->addWidget(out_, 1);
  outRow->addWidget(browseOut);
  auto* outLabel = new QLabel(tr("O&utput folder:"), form_);
  outLabel->setBuddy(out_);
  form->addRow(outLabel, outRow);
  resume_ = new QCheckBox(tr("Continue from the checkpoint in the output folder"), form_);
  form->addRow(QString(), resume_);

  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  curves_ = new TrainingCurves(this);
  progress_ = new QProgressBar(this);
  progress_->setFormat(tr("%v / %m steps"));
  status_ = new QLabel(this);
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(5000);
  log_->setLineWrapMode(QPlainTextEdit::NoWrap);
  log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  log_->setPlaceholderText(tr("The trainer's log appears here."));

  start_ = new QPushButton(tr("&Start"), this);
  start_->setDefault(true);
  cancel_ = new QPushButton(tr("S&top"), this);
  cancel_->setToolTip(tr("Stop cleanly: the trainer saves a checkpoint and a usable model folder"));
  load_ = new QPushButton(tr("&Load into viewer"), this);
  load_->setToolTip(tr("Show the maps of the new AVOL-Net in the viewer"));
  close_ = new QPushButton(tr("&Close"), this);

  auto* top = new QHBoxLayout;
  auto* left = new QVBoxLayout;
  left->addWidget(form_);
  left->addWidget(message_);
  left->addStretch(1);
  top->addLayout(left, 0);
  top->addWidget(curves_, 1);
  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(progress_, 1);
  progressRow->addWidget(status_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(load_);
  buttons->addStretch(1);
  buttons->addWidget(start_);
  buttons->addWidget(cancel_);
  buttons->addWidget(close_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top, 3);
  layout->addLayout(progressRow);
  layout->addWidget(log_, 2);
  layout->addLayout(buttons);
  resize(1100, 720);

  connect(videos, &QPushButton::clicked, this, &TrainingDialog::chooseVideoFolder);
  connect(folder, &QPushButton::clicked, this, &TrainingDialog::chooseDatasetFolder);
  connect(lr_, &QLineEdit::textEdited, this, [this] { lrEdited_ = true; });
  connect(fromBundled_, &QCheckBox::toggled, this, &TrainingDialog::applyBundledModel);
  connect(freeze_, &QComboBox::currentIndexChanged, this, &TrainingDialog::refresh);
  connect(pack, &QPushButton::clicked, this, &TrainingDialog::choosePack);
  connect(browseOut, &QPushButton::clicked, this, &TrainingDialog::chooseOutputDir);
  connect(out_, &QLineEdit::textEdited, this, [this] { outputEdited_ = true; });
  for (QLineEdit* e : {data_, lr_, out_}) connect(e, &QLineEdit::textChanged, this, &TrainingDialog::refresh);
  for (QSpinBox* s : {steps_, batch_, width_, processes_}) connect(s, &QSpinBox::valueChanged, this, &TrainingDialog::refresh);
  connect(arch_, &QComboBox::currentIndexChanged, this, [this] {
    if (!outputEdited_) out_->setText(defaultOutputDir());
    applyBundledModel();
  });
  for (QComboBox* c : {objective_, device_}) connect(c, &QComboBox::currentIndexChanged, this, &TrainingDialog::refresh);
  connect(resume_, &QCheckBox::toggled, this, &TrainingDialog::refresh);
  connect(dropHardest_, &QCheckBox::toggled, this, &TrainingDialog::refresh);
  connect(start_, &QPushButton::clicked, this, &TrainingDialog::start);
  connect(cancel_, &QPushButton::clicked, this, &TrainingDialog::cancel);
  connect(load_, &QPushButton::clicked, this, [this] { Q_EMIT loadModelRequested(run_->request().out); });
  connect(close_, &QPushButton::clicked, this, &TrainingDialog::close);
}

void TrainingDialog::setProgram(const QString& program) {
  run_->setProgram(program);
  refresh();
}
void TrainingDialog::setDataPath(const QString& path) { data_->setText(path); }
void TrainingDialog::setArch(const QString& arch) { arch_->setCurrentIndex(std::max(0, arch_->findData(arch))); }
void TrainingDialog::setObjective(const QString& objective) {
  objective_->setCurrentIndex(std::max(0, objective_->findData(objective)));
}
void TrainingDialog::setSteps(int steps) { steps_->setValue(steps); }
void TrainingDialog::setBatch(int batch) { batch_->setValue(batch); }
void TrainingDialog::setLearningRate(double lr) {
  lrEdited_ = true;
  lr_->setText(QString::number(lr, 'g', 10));
}
void TrainingDialog::setStartFromBundled(bool on) { fromBundled_->setChecked(on); }
void TrainingDialog::setFreeze(const QString& freeze) { freeze_->setCurrentIndex(std::max(0, freeze_->findData(freeze))); }

QString TrainingDialog::bundledModelDir() const {
  const QString dir = QString::fromStdString((resourceDir() / "models" / arch_->currentData().toString().toStdString()).string());
  return QFileInfo::exists(dir + "/card.json") ? dir : QString();
}

void TrainingDialog::applyBundledModel() {
  const bool on = fromBundled_->isChecked();
  bundledTower_ = "paper";
  if (on) {
    // The fine-tuned network has the bundled one's shape.
    QFile card(bundledModelDir() + "/card.json");
    if (card.open(QIODevice::ReadOnly)) {
      const QJsonObject o = QJsonDocument::fromJson(card.readAll()).object();
      if (o.contains("width")) width_->setValue(o.value("width").toInt());
      bundledTower_ = o.value("tower").toString("paper");
    }
  }
  width_->setEnabled(!on);
  if (!lrEdited_) lr_->setText(on ? "0.00001" : "0.0001");
  refresh();
}
void TrainingDialog::setWidth(int width) { width_->setValue(width); }
void TrainingDialog::setProcesses(int processes) { processes_->setValue(processes); }
void TrainingDialog::setDevice(const QString& device) { device_->setCurrentIndex(std::max(0, device_->findData(device))); }
void TrainingDialog::setOutputDir(const QString& dir) {
  outputEdited_ = true;
  out_->setText(dir);
}
void TrainingDialog::setResume(bool resume) { resume_->setChecked(resume); }

QString TrainingDialog::defaultOutputDir() const {
  return QDir::homePath() + "/soundspot-models/" + arch_->currentData().toString();
}

int64_t TrainingDialog::checkpointStep() const {
  QFile state(out_->text() + "/checkpoint/state.json");
  if (out_->text().isEmpty() || !state.open(QIODevice::ReadOnly)) return -1;
  const QJsonObject o = QJsonDocument::fromJson(state.readAll()).object();
  return o.contains("step") ? static_cast<int64_t>(o.value("step").toDouble()) : -1;
}

TrainingRequest TrainingDialog::request() const {
  TrainingRequest r;
  r.data = QFileInfo(data_->text().trimmed()).absoluteFilePath();
  r.scenes = QFileInfo(r.data).isFile();
  r.arch = arch_->currentData().toString();
  r.objective = objective_->currentData().toString();
  r.device = device_->currentData().toString();
  r.out = QFileInfo(out_->text().trimmed()).absoluteFilePath();
  r.steps = steps_->value();
  r.batch = batch_->value();
  r.lr = QLocale::c().toDouble(lr_->text().trimmed());
  r.width = width_->value();
  r.processes = processes_->value();
  if (fromBundled_->isChecked()) {
    r.init = bundledModelDir();
    r.tower = bundledTower_;
    r.freeze = freeze_->currentData().toString();
  }
  r.resume = resume_->isEnabled() && resume_->isChecked();
  r.dropHardest = r.objective == "contrastive" && dropHardest_->isChecked() ? kDropHardestFraction : 0;
  r.weightAverageDecay = averageWeights_->isChecked() ? kWeightAverageDecay : 0;
  r.valEvery = std::max<int64_t>(1, r.steps / 20);  // ~20 validation points on the curve
  return r;
}

QString TrainingDialog::validate() const {
  const DataCheck data = checkData(data_->text().trimmed());
  if (!data.error.isEmpty()) return data.error;
  bool ok = false;
  const double lr = QLocale::c().toDouble(lr_->text().trimmed(), &ok);
  if (!ok || !(lr > 0)) return tr("The learning rate must be a positive number (e.g. 1e-4).");
  if (fromBundled_->isChecked() && bundledModelDir().isEmpty())
    return tr("There is no bundled %1 model to start from: train from scratch.").arg(arch_->currentText());
  if (device_->currentData() == "cuda" && !cudaAvailable_) return tr("CUDA is not available on this machine: choose Auto or CPU.");
  const QString out = out_->text().trimmed();
  if (out.isEmpty()) return tr("Choose an output folder for the model.");
  const QFileInfo outInfo(out);
  if (outInfo.exists() && !outInfo.isDir()) return tr("The output %1 is a file, not a folder.").arg(out);
  const QDir outDir(out);
  if (outInfo.isDir() && !outDir.isEmpty() && !isModelOrCheckpointFolder(outDir))
    return tr("The output folder %1 holds other files: choose a new or empty folder (or an earlier model folder).").arg(out);
  if (QFileInfo(out) == QFileInfo(data_->text().trimmed())) return tr("The output folder cannot be the data folder.");
  if (resume_->isEnabled() && resume_->isChecked()) {
    const int64_t at = checkpointStep();
    if (at >= steps_->value()) return tr("The checkpoint is already at step %1: raise the steps to continue.").arg(at);
  }
  if (!QFileInfo(run_->program()).isExecutable())
    return tr("soundspot-cli was not found at %1 (it is installed next to the viewer).").arg(run_->program());
  return {};
}

QString TrainingDialog::validationMessage() const { return message_->text(); }

void TrainingDialog::refresh() {
  const bool running = run_->isRunning();
  freeze_->setEnabled(fromBundled_->isChecked());
  // AVC has no batch of negatives to rank: show the box empty rather than
  // ticked-but-grey, and give the user's choice back on return to contrastive.
  // The box's own enabled state says which it shows (isEnabledTo: a run
  // greys the whole form, which isEnabled() would count too).
  const bool contrastive = objective_->currentData() == "contrastive";
  if (contrastive != dropHardest_->isEnabledTo(form_)) {
    const QSignalBlocker quiet(dropHardest_);
    if (contrastive) {
      dropHardest_->setChecked(dropHardestChoice_);
    } else {
      dropHardestChoice_ = dropHardest_->isChecked();
      dropHardest_->setChecked(false);
    }
    dropHardest_->setEnabled(contrastive);
  }

  const int64_t at = checkpointStep();
  resume_->setEnabled(at >= 0 && !running);
  resume_->setText(at >= 0 ? tr("Continue from the checkpoint there (step %1)").arg(at)
                           : tr("Continue from a checkpoint (none in the output folder)"));

  const DataCheck data = checkData(data_->text().trimmed());
  dataInfo_->setText(data.error.isEmpty() ? data.note : QString());
  dataInfo_->setVisible(!dataInfo_->text().isEmpty());
  if (running) {
    start_->setEnabled(false);
  } else {
    const QString error = validate();
    QString note;
    if (error.isEmpty() && QDir(out_->text()).exists("card.json") && !(resume_->isEnabled() && resume_->isChecked()))
      note = tr("The model in %1 will be replaced.").arg(out_->text());
    message_->setStyleSheet(error.isEmpty() ? "color: palette(mid);" : "color: #c0392b; font-weight: bold;");
    message_->setText(error.isEmpty() ? note : error);
    message_->setVisible(!message_->text().isEmpty());
    start_->setEnabled(error.isEmpty());
  }
  form_->setEnabled(!running);
  cancel_->setEnabled(running && !run_->cancelRequested());
  const State s = run_->state();
  load_->setVisible(run_->request().arch == "avol" && (s == State::Finished || s == State::Cancelled) && run_->modelWritten());
}

bool TrainingDialog::start() {
  if (run_->isRunning()) return false;
  const QString error = validate();
  if (!error.isEmpty()) {
    refresh();
    return false;
  }
  const TrainingRequest r = request();
  QDir().mkpath(r.out);
  curves_->clear();
  curves_->setTotalSteps(r.steps);
  progress_->setRange(0, static_cast<int>(std::min<int64_t>(r.steps, std::numeric_limits<int>::max())));
  progress_->setValue(0);
  log_->clear();
  message_->clear();
  message_->hide();
  const bool started = run_->start(r);
  updateProgress();
  return started;
}

void TrainingDialog::cancel() {
  run_->cancel();
  refresh();
  updateProgress();
}

bool TrainingDialog::confirmStop() {
  if (!run_->isRunning()) return true;
  if (interactive_) {
    const auto answer = QMessageBox::question(
        this, tr("Stop training?"),
        tr("A model is being trained into %1.\n\nStop it now? The trainer first saves a checkpoint and a usable model "
           "folder (this can take a few seconds).")
            .arg(run_->request().out),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes) return false;
  }
  closing_ = true;
  cancel();
  const bool stopped = run_->waitForEnd(kStopWaitMs);
  closing_ = false;
  if (!stopped) spdlog::warn("training: the trainer did not stop within {} s", kStopWaitMs / 1000);
  return stopped;
}

void TrainingDialog::closeEvent(QCloseEvent* event) {
  if (!confirmStop()) {
    event->ignore();
    return;
  }
  QDialog::closeEvent(event);
}

void TrainingDialog::reject() {
  if (confirmStop()) QDialog::reject();
}

QString TrainingDialog::statusText() const { return status_->text(); }
QString TrainingDialog::logText() const { return log_->toPlainText(); }

void TrainingDialog::onMetric(const TrainingMetric& m) {
  curves_->addMetric(m);
  progress_->setValue(static_cast<int>(std::min<int64_t>(m.step, progress_->maximum())));
  updateProgress();
}

void TrainingDialog::updateProgress() {
  const State s = run_->state();
  const TrainingRequest& r = run_->request();
  QString text;
  switch (s) {
    case State::Idle:
      text = tr("Ready");
      break;
    case State::Running: {
      const QString elapsed = QString::fromStdString(formatDuration(run_->elapsedSeconds()));
      if (run_->lastStep() == 0) {
        text = tr("Loading the data… %1").arg(elapsed);
      } else {
        text = tr("Step %1/%2 · %3 samples/s · %4 elapsed · ETA %5")
                   .arg(run_->lastStep())
                   .arg(r.steps)
                   .arg(run_->samplesPerSecond() * r.processes, 0, 'f', 1)  // the trainer reports per rank
                   .arg(elapsed, QString::fromStdString(formatDuration(run_->etaSeconds())));
      }
      if (run_->cancelRequested()) text = tr("Stopping (saving the checkpoint)… ") + text;
      break;
    }
    case State::Finished: text = tr("Finished: %1 steps").arg(run_->lastStep()); break;
    case State::Cancelled: text = tr("Cancelled at step %1 (model saved)").arg(run_->lastStep()); break;
    case State::Failed: text = tr("Failed"); break;
  }
  status_->setText(text);
}

void TrainingDialog::onStateChanged(State s) {
  if (s == State::Running) clock_->start();
  else clock_->stop();
  if (s == State::Finished) progress_->setValue(progress_->maximum());
  refresh();
  updateProgress();
  if (s == State::Failed) {
    message_->setStyleSheet("color: #c0392b; font-weight: bold;");
    message_->setText(tr("Training failed: %1").arg(run_->errorText()));
    message_->show();
  }
  Q_EMIT stateChanged(s);
  if ((s == State::Finished || s == State::Cancelled) && !closing_) offerToLoad();
}

void TrainingDialog::offerToLoad() {
  if (!load_->isVisible() || !interactive_) return;
  auto* box = new QMessageBox(QMessageBox::Question, tr("Training %1").arg(run_->state() == State::Finished ? tr("finished") : tr("stopped")),
                              tr("The AVOL-Net in %1 is ready. Load it into the viewer?").arg(run_->request().out),
                              QMessageBox::Yes | QMessageBox::No, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  connect(box, &QMessageBox::finished, this, [this, box] {
    if (box->standardButton(box->clickedButton()) == QMessageBox::Yes) Q_EMIT loadModelRequested(run_->request().out);
  });
  box->open();
}

void TrainingDialog::chooseDatasetFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a dataset folder (with dataset.json)"), data_->text());
  if (!dir.isEmpty()) data_->setText(dir);
}

void TrainingDialog::chooseVideoFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a folder of your videos (searched with its sub-folders)"),
                                                        data_->text());
  if (!dir.isEmpty()) data_->setText(dir);
}

void TrainingDialog::choosePack() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Choose a scene asset pack"), QFileInfo(data_->text()).absolutePath(),
                                                    tr("Scene asset packs (*.sspack);;All files (*)"));
  if (!file.isEmpty()) data_->setText(file);
}

void TrainingDialog::chooseOutputDir() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the output model folder"), out_->text());
  if (!dir.isEmpty()) setOutputDir(dir);
}

}  // namespace soundspot::ui
