// Tools ▸ Train model…: the training dialog's state machine offscreen
// (invalid inputs keep Start disabled with an inline message; start ->
// running; cancel -> cancelled with a usable model folder and checkpoint),
// an end-to-end tiny training run driven from the dialog (curves, progress,
// a model folder that loads), and the main window's Tools menu and close.
// The dialog runs the real soundspot-cli, on a generated dataset folder.
#include "core/common/AtomicFile.h"
#include "core/common/Paths.h"
#include "core/nn/Model.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/TestRegistry.h"
#include "tests/support/ToneVideoFixtures.h"
#include "ui/MainWindow.h"
#include "ui/TrainingCurves.h"
#include "ui/TrainingDialog.h"
#include "ui/TrainingRun.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cstdlib>

using namespace soundspot;
using soundspot::ui::TrainingDialog;
using State = soundspot::ui::TrainingRun::State;

namespace {

QString qs(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

// Train and val clips with different tones (what the AVC task keys on).
std::filesystem::path makeTinyDataset() {
  const auto dir = test::freshTempDir("train-dialog-data");
  std::filesystem::create_directories(dir / "clips");
  nlohmann::json clips = nlohmann::json::array();
  const struct {
    const char* id;
    const char* split;
    double tone;
  } specs[] = {{"t0", "train", 500}, {"t1", "train", 1500}, {"t2", "train", 3000}, {"t3", "train", 6000},
               {"v0", "val", 800},   {"v1", "val", 4000}};
  for (const auto& c : specs) {
    test::makeIndexedClip(dir / "clips" / (std::string(c.id) + ".mp4"), 2.5, 10, 96, 64, 48000, c.tone);
    clips.push_back({{"id", c.id}, {"media", std::string("clips/") + c.id + ".mp4"}, {"split", c.split}});
  }
  writeFileAtomically(dir / "dataset.json",
                      nlohmann::json{{"format", "soundspot-dataset/1"}, {"name", "tiny"}, {"clips", clips}}.dump(2));
  return dir;
}

bool cliBuilt() { return QFileInfo(QStringLiteral(SOUNDSPOT_CLI_PATH)).isExecutable(); }

// A dialog filled in for a tiny run (width 4, batch 4) on `data` into `out`.
void fillTiny(TrainingDialog& d, const std::filesystem::path& data, const std::filesystem::path& out, int steps) {
  d.setInteractive(false);
  d.setProgram(QStringLiteral(SOUNDSPOT_CLI_PATH));
  d.setDataPath(qs(data));
  d.setArch("avol");
  d.setObjective("avc");
  d.setSteps(steps);
  d.setBatch(4);
  d.setWidth(4);
  d.setLearningRate(1e-3);
  d.setDevice("cpu");
  d.setOutputDir(qs(out));
}

bool waitFor(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (!done() && t.elapsed() < timeoutMs) QTest::qWait(20);
  return done();
}

void checkUsableModel(const std::filesystem::path& out) {
  QVERIFY2(std::filesystem::exists(out / "card.json"), (out / "card.json").string().c_str());
  QVERIFY(std::filesystem::exists(out / "checkpoint" / "state.json"));
  const nn::Model m = nn::loadModel(out, "cpu");
  QVERIFY(m.config.arch == nn::Arch::Avol);
  QCOMPARE(m.config.width, 4);
}

}  // namespace

class TestTrainingDialog : public QObject {
  Q_OBJECT
  std::filesystem::path data_, tmp_;

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("SoundSpotTest");
    QCoreApplication::setApplicationName("soundspot-test");
    data_ = makeTinyDataset();
    tmp_ = test::freshTempDir("train-dialog");
  }

  void cleansTheLogAndParsesMetrics() {
    const QStringList lines = ui::TrainingRun::cleanLogLines(
        "\rtrain avol [##....] 1/10\rtrain avol [###...] 2/10 \x1b[K\n\x1b[32m[info]\x1b[m training avol\n\n  \r\n");
    QCOMPARE(lines, (QStringList{"train avol [###...] 2/10", "[info] training avol"}));
    ui::TrainingMetric m;
    QVERIFY(ui::TrainingRun::parseMetricLine(R"({"step":3,"loss":0.69,"train_acc":0.5,"lr":0.001,"samples_per_s":12.5})", &m));
    QCOMPARE(m.step, int64_t{3});
    QCOMPARE(m.samplesPerSecond, 12.5);
    QVERIFY(!m.valAccuracy);
    QVERIFY(ui::TrainingRun::parseMetricLine(R"({"step":4,"loss":0.6,"train_acc":0.75,"val_acc":0.625})", &m));
    QCOMPARE(*m.valAccuracy, 0.625);
    QVERIFY(!ui::TrainingRun::parseMetricLine("{\"step\":4,\"lo", &m));
    ui::TrainingRequest r;
    r.data = "/d";
    r.out = "/o";
    r.steps = 7;
    QCOMPARE(r.arguments().mid(0, 3), (QStringList{"train", "--data", "/d"}));
    QVERIFY(r.arguments().contains("--steps") && r.arguments().contains("7"));
  }

  void invalidInputsKeepStartDisabled() {
    TrainingDialog d;
    fillTiny(d, data_, tmp_ / "invalid-out", 5);
    QVERIFY2(d.validate().isEmpty(), qPrintable(d.validate()));
    QVERIFY(d.startButton()->isEnabled());

    d.setDataPath("");
    QVERIFY(!d.startButton()->isEnabled());
    QVERIFY(d.validationMessage().contains("Choose the data"));
    QVERIFY(!d.start());
    QCOMPARE(d.state(), State::Idle);

    const auto noJson = test::freshTempDir("train-dialog-nojson");
    d.setDataPath(qs(noJson));
    QVERIFY(!d.startButton()->isEnabled());
    QVERIFY2(d.validationMessage().contains("dataset.json"), qPrintable(d.validationMessage()));

    const auto badJson = test::freshTempDir("train-dialog-badjson");
    writeFileAtomically(badJson / "dataset.json", R"({"format": "soundspot-dataset/1", "clips": [{"id": "x", "split": "test"}]})");
    d.setDataPath(qs(badJson));
    QVERIFY2(d.validationMessage().contains("train"), qPrintable(d.validationMessage()));
    QVERIFY(!d.startButton()->isEnabled());

    d.setDataPath(qs(data_ / "clips" / "t0.mp4"));
    QVERIFY2(d.validationMessage().contains(".sspack"), qPrintable(d.validationMessage()));
    d.setDataPath(qs(data_));
    QVERIFY(d.startButton()->isEnabled());

    d.setLearningRate(0);
    QVERIFY2(d.validationMessage().contains("learning rate"), qPrintable(d.validationMessage()));
    d.setLearningRate(1e-4);

    // Every network trains on either objective (L3-Net's head scores every pair).
    d.setObjective("contrastive");
    d.setArch("l3");
    QCOMPARE(d.request().objective, QString("contrastive"));
    QVERIFY(d.startButton()->isEnabled());
    d.setArch("avol");
    // Contrastive runs leave out the hardest quarter of each batch by default; AVC has no batch to rank.
    QVERIFY(d.request().arguments().join(' ').contains("--drop-hardest-pairs 0.25"));
    d.setObjective("avc");
    QVERIFY(!d.request().arguments().contains("--drop-hardest-pairs"));
    // Under AVC the box is empty and grey, not ticked; the choice comes back with contrastive.
    QVERIFY(!d.dropHardestBox()->isEnabled());
    QVERIFY(!d.dropHardestBox()->isChecked());
    d.setObjective("contrastive");
    QVERIFY(d.dropHardestBox()->isEnabled());
    QVERIFY(d.dropHardestBox()->isChecked());
    d.dropHardestBox()->setChecked(false);
    d.setObjective("avc");
    d.setObjective("contrastive");
    QVERIFY(!d.dropHardestBox()->isChecked());
    QVERIFY(!d.request().arguments().contains("--drop-hardest-pairs"));
    d.dropHardestBox()->setChecked(true);
    // A greyed form (as during a run; refresh re-enables it) keeps the latest choice.
    d.dropHardestBox()->parentWidget()->setEnabled(false);
    d.setSteps(6);
    d.dropHardestBox()->parentWidget()->setEnabled(true);
    d.setSteps(5);
    QVERIFY(d.dropHardestBox()->isChecked());
    // Every run saves the averaged weights unless the user says otherwise.
    QVERIFY(d.request().arguments().join(' ').contains("--weight-average-decay 0.999"));
    d.averageWeightsBox()->setChecked(false);
    QVERIFY(!d.request().arguments().contains("--weight-average-decay"));
    d.averageWeightsBox()->setChecked(true);

    writeFileAtomically(tmp_ / "a-file", "x");
    d.setOutputDir(qs(tmp_ / "a-file"));
    QVERIFY2(d.validationMessage().contains("file"), qPrintable(d.validationMessage()));
    d.setOutputDir(qs(data_));
    QVERIFY2(d.validationMessage().contains("other files"), qPrintable(d.validationMessage()));
    d.setOutputDir("");
    QVERIFY(d.validationMessage().contains("output folder"));
    d.setOutputDir(qs(tmp_ / "invalid-out"));

    d.setProgram(qs(tmp_ / "no-such-cli"));
    QVERIFY2(d.validationMessage().contains("soundspot-cli"), qPrintable(d.validationMessage()));
    QVERIFY(!d.startButton()->isEnabled());
    d.setProgram(QStringLiteral(SOUNDSPOT_CLI_PATH));
    QVERIFY(d.startButton()->isEnabled());
    QVERIFY(d.validationMessage().isEmpty());
    QCOMPARE(d.state(), State::Idle);
  }

  void startRunsAndCancelLeavesAUsableModel() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "cancelled";
    fillTiny(d, data_, out, 100000);
    d.show();
    QSignalSpy states(&d, &TrainingDialog::stateChanged);
    QVERIFY(d.start());
    QCOMPARE(d.state(), State::Running);
    QVERIFY(!d.startButton()->isEnabled());
    QVERIFY(d.cancelButton()->isEnabled());
    QVERIFY2(waitFor([&] { return d.curves()->lossPointCount() >= 2; }, 40000), qPrintable(d.logText()));
    d.cancel();
    QVERIFY(!d.cancelButton()->isEnabled());
    QVERIFY2(d.run()->waitForEnd(60000), "the trainer did not stop after SIGINT");
    QCOMPARE(d.state(), State::Cancelled);
    QVERIFY2(d.run()->result().value("cancelled").toBool(), qPrintable(d.logText()));
    checkUsableModel(out);
    QVERIFY(d.progressBar()->value() > 0);
    QVERIFY(d.statusText().contains("Cancelled"));
    QVERIFY(d.loadButton()->isVisible());
    QCOMPARE(states.count(), 2);  // running, cancelled
    QVERIFY(d.startButton()->isEnabled());  // can start again
  }

  void cancelWhileLoadingStillStopsCleanly() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "cancelled-early";
    fillTiny(d, data_, out, 100000);
    QVERIFY(d.start());
    d.cancel();  // before the CLI has its Ctrl-C handler: the SIGINT waits for it
    QVERIFY2(d.run()->waitForEnd(60000), "the trainer did not stop");
    QVERIFY2(d.state() == State::Cancelled, qPrintable(d.logText()));
    checkUsableModel(out);
  }

  void trainsEndToEndFromTheDialog() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "finished";
    fillTiny(d, data_, out, 6);
    d.show();
    QSignalSpy load(&d, &TrainingDialog::loadModelRequested);
    QVERIFY(d.start());
    QVERIFY2(d.run()->waitForEnd(60000), qPrintable(d.logText()));
    QVERIFY2(d.state() == State::Finished, qPrintable(d.run()->errorText() + "\n" + d.logText()));
    QCOMPARE(d.curves()->lossPointCount(), 6);
    QCOMPARE(d.curves()->trainAccuracyPointCount(), 6);
    QVERIFY(d.curves()->valAccuracyPointCount() >= 1);
    QCOMPARE(d.progressBar()->value(), 6);
    QCOMPARE(d.run()->lastStep(), int64_t{6});
    checkUsableModel(out);
    const QString log = d.logText();
    QVERIFY2(log.contains("training avol"), qPrintable(log));
    QVERIFY(!log.contains('\r') && !log.contains(QChar(0x1b)));
    QVERIFY2(!log.contains("[debug]"), qPrintable(log));
    QVERIFY(d.loadButton()->isVisible());
    d.loadButton()->click();
    QCOMPARE(load.count(), 1);
    QCOMPARE(load.at(0).at(0).toString(), QFileInfo(qs(out)).absoluteFilePath());
  }

  void trainsInTwoProcessesFromTheDialog() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "two-processes";
    fillTiny(d, data_, out, 6);
    d.setProcesses(2);
    QVERIFY2(d.validate().isEmpty(), qPrintable(d.validate()));
    QVERIFY(d.start());
    QVERIFY(d.run()->request().arguments().join(' ').contains("--nproc 2"));
    QVERIFY2(d.run()->waitForEnd(120000), qPrintable(d.logText()));
    QVERIFY2(d.state() == State::Finished, qPrintable(d.run()->errorText() + "\n" + d.logText()));
    // One curve point per step: only rank 0 writes metrics.jsonl.
    QCOMPARE(d.curves()->lossPointCount(), 6);
    QCOMPARE(d.run()->lastStep(), int64_t{6});
    checkUsableModel(out);
    QFile card(qs(out / "card.json"));
    QVERIFY(card.open(QIODevice::ReadOnly));
    const QJsonObject dp = QJsonDocument::fromJson(card.readAll()).object()["recipe"].toObject()["data_parallel"].toObject();
    QCOMPARE(dp["world_size"].toInt(), 2);
    QCOMPARE(dp["global_batch"].toInt(), 8);
    QVERIFY2(d.logText().contains("world size 2"), qPrintable(d.logText()));
  }

  void stopsATwoProcessRunCleanly() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "two-processes-stopped";
    fillTiny(d, data_, out, 100000);
    d.setProcesses(2);
    QVERIFY(d.start());
    QVERIFY2(waitFor([&] { return d.run()->lastStep() >= 2; }, 120000), qPrintable(d.logText()));
    d.cancelButton()->click();
    QVERIFY2(d.run()->waitForEnd(120000), qPrintable(d.logText()));
    QVERIFY2(d.state() == State::Cancelled, qPrintable(d.run()->errorText() + "\n" + d.logText()));
    checkUsableModel(out);
  }

  void fineTunesTheBundledModelOnAFolderOfVideos() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    const auto videos = test::freshTempDir("train-dialog-videos") / "my videos";
    test::writeSmallToneVideos(videos, 4);
    TrainingDialog d;
    const auto out = tmp_ / "fine-tuned";
    fillTiny(d, videos, out, 2);
    QVERIFY2(d.validate().isEmpty(), qPrintable(d.validate()));
    const QString bundled = d.bundledModelDir();
    if (bundled.isEmpty()) QSKIP("no bundled AVOL-Net in this build");
    d.setStartFromBundled(true);
    d.setFreeze("audio");
    const ui::TrainingRequest r = d.request();
    QCOMPARE(r.init, bundled);
    QCOMPARE(r.width, 16);  // the bundled model's shape, not the form's 4
    QCOMPARE(r.tower, QString("compact"));
    QVERIFY(r.arguments().contains("--init") && r.arguments().contains("--freeze"));
    QVERIFY(d.start());
    QVERIFY2(d.run()->waitForEnd(120000), qPrintable(d.logText()));
    QVERIFY2(d.state() == State::Finished, qPrintable(d.run()->errorText() + "\n" + d.logText()));
    const auto card = nlohmann::json::parse(readFile(out / "card.json"));
    QCOMPARE(QString::fromStdString(card["recipe"]["base_model"]["path"].get<std::string>()),
             QString::fromStdString(std::filesystem::path(bundled.toStdString()).lexically_normal().string()));
    QVERIFY(std::filesystem::exists(out / "split.json"));
    // Without the box ticked the form is the from-scratch one again.
    d.setStartFromBundled(false);
    QVERIFY(d.request().init.isEmpty());
  }

  void aTrainerErrorEndsFailedWithItsMessage() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    const auto broken = test::freshTempDir("train-dialog-broken");
    writeFileAtomically(broken / "dataset.json",
                        R"({"format": "soundspot-dataset/1", "clips": [{"id": "gone", "media": "gone.mp4", "split": "train"}]})");
    TrainingDialog d;
    fillTiny(d, broken, tmp_ / "failed", 5);
    QVERIFY2(d.validate().isEmpty(), qPrintable(d.validate()));  // only the trainer finds the missing media
    QVERIFY(d.start());
    QVERIFY(d.run()->waitForEnd(60000));
    QCOMPARE(d.state(), State::Failed);
    QVERIFY2(!d.run()->errorText().isEmpty(), qPrintable(d.logText()));
    QVERIFY2(d.validationMessage().contains(d.run()->errorText()), qPrintable(d.validationMessage()));
    QVERIFY(!d.loadButton()->isVisible());
    QVERIFY(d.startButton()->isEnabled());
  }

  void mainWindowToolsMenuAndCloseStopsTraining() {
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    QSettings().clear();
    ui::MainWindow w;
    w.setShowMessageBoxes(false);
    w.show();
    QAction* train = nullptr;
    for (QAction* a : w.findChildren<QAction*>())
      if (a->text() == "&Train model…") train = a;
    QVERIFY(train);
    QCOMPARE(train->shortcut(), QKeySequence("Ctrl+T"));
    train->trigger();
    TrainingDialog* d = w.trainingDialog();
    QVERIFY(d && d->isVisible());
    const auto out = tmp_ / "closed";
    fillTiny(*d, data_, out, 100000);
    QVERIFY(d->start());
    QVERIFY(waitFor([&] { return d->curves()->lossPointCount() >= 1; }, 40000));
    QVERIFY(w.close());  // asks (answered yes here), stops cleanly, then closes
    QCOMPARE(d->state(), State::Cancelled);
    checkUsableModel(out);
  }

  // SOUNDSPOT_SCREENSHOT=FILE (tools/screenshots.sh, under Xvfb): the dialog during a run.
  void screenshotDuringARun() {
    const QString file = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT");
    if (file.isEmpty()) QSKIP("set SOUNDSPOT_SCREENSHOT=FILE.png to save the dialog during a run");
    if (!cliBuilt()) QSKIP("soundspot-cli is not built");
    TrainingDialog d;
    const auto out = tmp_ / "screenshot";
    fillTiny(d, data_, out, 400);
    d.setWidth(8);
    d.resize(1150, 760);
    d.show();
    QVERIFY(d.start());
    QVERIFY2(waitFor([&] { return d.run()->lastStep() >= 160; }, 300000), qPrintable(d.logText()));
    QTest::qWait(300);
    QVERIFY(d.grab().save(file));
    d.cancel();
    QVERIFY(d.run()->waitForEnd(60000));
  }
};

SOUNDSPOT_TEST(TestTrainingDialog)
#include "test_training_dialog.moc"
