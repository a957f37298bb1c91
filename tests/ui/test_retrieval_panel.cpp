// The Retrieval panel end to end on generated clips with a tiny random
// AVOL-Net: building an index in the background (progress, cancel), the
// four query directions answering in score order, thumbnails decoded off
// the UI thread, the double-click opening the clip at that second in the
// main player, region queries (also by Ctrl+click on the picture), "where
// is this sound made?" with maps, the model-mismatch note, the sound
// preview, and damaged index folders reported as messages, never a crash.
// Runs on the offscreen platform (the window draws with SoftwareView).
#include "core/common/AtomicFile.h"
#include "core/common/Progress.h"
#include "core/engine/Soundtrack.h"
#include "core/nn/Model.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/IndexBuilder.h"
#include "core/retrieval/Encoder.h"
#include "core/retrieval/Query.h"
#include "core/retrieval/Search.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/TestRegistry.h"
#include "ui/MainWindow.h"
#include "ui/ResultGrid.h"
#include "ui/RetrievalPanel.h"

#include <QDockWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <functional>

using namespace soundspot;
using soundspot::ui::MainWindow;
using soundspot::ui::QueryKind;
using soundspot::ui::RetrievalPanel;
namespace fs = std::filesystem;

namespace {

bool waitFor(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > timeoutMs) return false;
    QTest::qWait(10);
  }
  return true;
}

fs::path makeTinyModel(const fs::path& dir, nn::Arch arch, uint64_t seed) {
  torch::manual_seed(seed);
  nn::Model m = nn::makeModel(nn::NetConfig{arch, 8, 128});
  nn::saveModel(m, dir, nn::WeightsPrecision::F32);
  return dir;
}

// Waits for the answer to query `id` (results shown, or an error).
bool waitForResults(RetrievalPanel& p, quint64 id, int timeoutMs = 60000) {
  return id != 0 && waitFor([&] { return p.results().id == id || !p.errorText().isEmpty(); }, timeoutMs) &&
         p.results().id == id;
}

bool scoresDescending(const std::vector<ui::RetrievalHit>& hits) {
  for (size_t i = 1; i < hits.size(); ++i)
    if (hits[i].score > hits[i - 1].score + 1e-6f) return false;
  return true;
}

}  // namespace

class TestRetrievalPanel : public QObject {
  Q_OBJECT
  fs::path dir_, model_, otherModel_, aveModel_, data_, index_, clipA_, clipB_;
  std::shared_ptr<const engine::Soundtrack> soundA_;
  int64_t entries_ = 0;

  // What the main window would offer: clip a at 1.5 s, its own audio.
  ui::QueryContext contextA(double t = 1.5) const {
    ui::QueryContext c;
    c.media = QString::fromStdString(clipA_.string());
    c.frameTime = t;
    c.audioTime = t;
    c.soundtrack = soundA_;
    return c;
  }

  void openIndex(RetrievalPanel& p, const fs::path& index) {
    QSignalSpy opened(&p, &RetrievalPanel::indexOpened);
    p.openIndex(QString::fromStdString(index.string()));
    QVERIFY2(waitFor([&] { return opened.count() > 0 || !p.errorText().isEmpty(); }, 60000), "the index never opened");
    QVERIFY2(p.hasIndex(), qPrintable(p.errorText()));
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("SoundSpotTest");
    QCoreApplication::setApplicationName("soundspot-retrieval-test");
    QSettings().clear();
    dir_ = test::freshTempDir("retrieval-panel");
    model_ = makeTinyModel(dir_ / "avol", nn::Arch::Avol, 11);
    otherModel_ = makeTinyModel(dir_ / "avol-other", nn::Arch::Avol, 12);
    aveModel_ = makeTinyModel(dir_ / "ave", nn::Arch::Ave, 13);
    // A labelled dataset: clip a (3 s, 500 Hz) and clip b (2 s, 3 kHz).
    data_ = dir_ / "data";
    fs::create_directories(data_ / "clips");
    clipA_ = data_ / "clips/a.mp4";
    clipB_ = data_ / "clips/b.mp4";
    test::makeIndexedClip(clipA_, 3.0, 10, 96, 72, 48000, 500);
    test::makeIndexedClip(clipB_, 2.0, 10, 96, 72, 48000, 3000);
    const nlohmann::json clips = nlohmann::json::array({
        {{"id", "a"}, {"media", "clips/a.mp4"}, {"labels", {"Dog"}}},
        {{"id", "b"}, {"media", "clips/b.mp4"}, {"labels", {"Violin, fiddle"}}},
    });
    writeFileAtomically(data_ / "dataset.json",
                        nlohmann::json{{"format", "soundspot-dataset/1"}, {"name", "tiny"}, {"clips", clips}}.dump(2));
    index_ = dir_ / "index";
    Progress quiet("test", 2);
    entries_ = retrieval::buildIndex(data_, model_, index_, quiet).entries;
    QCOMPARE(entries_, int64_t{5});
    soundA_ = std::make_shared<engine::Soundtrack>(engine::loadSoundtrack(clipA_.string(), 0, true));
  }

  void buildsAnIndexInTheBackground() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.show();
    QSignalSpy finished(&p, &RetrievalPanel::buildFinished);
    const fs::path out = dir_ / "built";
    QVERIFY(p.buildIndex(QString::fromStdString(data_.string()), QString::fromStdString(out.string()),
                         QString::fromStdString(model_.string())));
    QVERIFY(p.isBuilding());
    // The UI thread keeps running while it builds: this loop is that thread.
    QVERIFY2(waitFor([&] { return finished.count() > 0; }, 120000), "the build never finished");
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY2(waitFor([&] { return p.hasIndex(); }, 60000), qPrintable(p.errorText()));
    QCOMPARE(p.indexSummary().entries, entries_);
    QCOMPARE(p.indexSummary().clips, int64_t{2});
    QVERIFY(p.indexSummary().labelled);
    QVERIFY(retrieval::isIndexFolder(out));

    // Cancelled at once: no index, a message, and building again resumes and finishes.
    const fs::path cancelled = dir_ / "cancelled";
    finished.clear();
    QVERIFY(p.buildIndex(QString::fromStdString(data_.string()), QString::fromStdString(cancelled.string()),
                         QString::fromStdString(model_.string())));
    p.cancelBuild();
    QVERIFY(waitFor([&] { return finished.count() > 0; }, 120000));
    if (!finished.first().first().toBool()) QVERIFY(!retrieval::isIndexFolder(cancelled));

    // Without a model folder: an error message, no crash.
    finished.clear();
    QVERIFY(p.buildIndex(QString::fromStdString(data_.string()), QString::fromStdString((dir_ / "x").string()),
                         QString::fromStdString((dir_ / "no-model").string())));
    QVERIFY(waitFor([&] { return finished.count() > 0; }, 60000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY2(p.errorText().contains("model"), qPrintable(p.errorText()));
  }

  void queriesInAllFourDirections() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.setResultCount(4);
    p.show();
    openIndex(p, index_);
    const retrieval::Index index = retrieval::loadIndex(index_);
    retrieval::Encoder encoder(model_);
    for (QueryKind kind : {QueryKind::FrameToSound, QueryKind::SoundToFrame, QueryKind::FrameToFrame, QueryKind::SoundToSound}) {
      const quint64 id = p.runQuery(kind);
      QVERIFY2(waitForResults(p, id), qPrintable(ui::queryKindName(kind) + ": " + p.errorText()));
      const auto& hits = p.results().hits;
      QCOMPARE(hits.size(), size_t{4});
      QVERIFY2(scoresDescending(hits), qPrintable(ui::queryKindName(kind)));
      QCOMPARE(p.grid()->count(), 4);
      // Exactly what the core search gives for the same query (the tiny
      // random network scores every entry about alike, so the order is
      // checked against the reference, not against what a trained one would find).
      const bool image = ui::queryUsesFrame(kind);
      const auto q = image ? retrieval::frameQuery(encoder, clipA_, 1.5) : retrieval::audioQuery(encoder, clipA_, 1.5);
      const auto in = ui::queryFindsSounds(kind) ? retrieval::Modality::Audio : retrieval::Modality::Image;
      const auto expected = retrieval::search(index, q, in, 4);
      for (size_t i = 0; i < hits.size(); ++i) {
        QVERIFY2(std::abs(hits[i].score - expected[i].score) < (image ? 1e-5f : 1e-3f), qPrintable(ui::queryKindName(kind)));
        if (image) QCOMPARE(hits[i].entry, expected[i].entry);
        QCOMPARE(hits[i].clipId, QString::fromStdString(index.clipOf(hits[i].entry).id));
        QCOMPARE(hits[i].time, index.times[size_t(hits[i].entry)]);
      }
      if (kind == QueryKind::FrameToFrame || kind == QueryKind::SoundToSound) {
        // The same modality finds the query itself: a second of clip a (labelled Dog) with score 1.
        QCOMPARE(hits[0].clipId, QString("a"));
        QVERIFY2(hits[0].score > 0.99f, qPrintable(QString::number(hits[0].score)));
        QCOMPARE(hits[0].labels, QStringList{"Dog"});
      }
      // The thumbnails are decoded off the UI thread and arrive.
      QVERIFY2(waitFor([&] { return p.grid()->hasThumbnail(0) && p.grid()->hasThumbnail(3); }, 30000), "no thumbnails");
    }
    QVERIFY(p.errorText().isEmpty());
  }

  void doubleClickOpensTheClipAtThatTime() {
    MainWindow w;
    w.setShowMessageBoxes(false);
    w.setModelDir(QString::fromStdString(model_.string()));
    w.show();
    QVERIFY(w.openMedia(QString::fromStdString(clipB_.string())));
    w.showRetrievalPanel();
    QVERIFY(w.retrievalDock()->isVisible());
    RetrievalPanel& p = *w.retrievalPanel();
    p.setInteractive(false);
    p.setResultCount(int(entries_));
    openIndex(p, index_);
    QVERIFY2(!p.modelMismatch(), qPrintable(p.modelNoteText()));
    w.seek(0.5);
    const quint64 id = p.runQuery(QueryKind::FrameToFrame);
    QVERIFY2(waitForResults(p, id), qPrintable(p.errorText()));
    // The first result of clip a (the other clip than the open one).
    int row = -1;
    for (size_t i = 0; i < p.results().hits.size(); ++i)
      if (p.results().hits[i].clipId == "a" && p.results().hits[i].time > 1) {
        row = int(i);
        break;
      }
    QVERIFY(row >= 0);
    const ui::RetrievalHit hit = p.results().hits[size_t(row)];
    QSignalSpy open(&p, &RetrievalPanel::openClipRequested);
    ui::ResultGrid* grid = p.grid();
    // Space on the grid plays the result's second, not the video (Playback ▸ Play is Space too).
    QSignalSpy preview(&p, &RetrievalPanel::previewStarted);
    grid->setFocus();
    grid->setCurrentRow(row);
    QTest::keyClick(grid, Qt::Key_Space);
    QVERIFY(waitFor([&] { return preview.count() > 0; }, 10000));
    QVERIFY(!w.isPlaying());
    grid->scrollToItem(grid->item(row));
    const QPoint at = grid->itemRect(row).center();
    QTest::mouseClick(grid->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(grid->viewport(), Qt::LeftButton, {}, at);
    QVERIFY(waitFor([&] { return open.count() > 0; }, 5000));
    QCOMPARE(open.first().at(0).toString(), QString::fromStdString(clipA_.string()));
    QCOMPARE(open.first().at(1).toDouble(), hit.time);
    // The main player now shows clip a at that time.
    QVERIFY(w.windowTitle().contains("a.mp4"));
    QVERIFY2(std::abs(w.position() - hit.time) < 0.05, qPrintable(QString::number(w.position())));
  }

  void corruptIndexGivesAMessage() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.show();
    const fs::path bad = dir_ / "corrupt";
    fs::copy(index_, bad, fs::copy_options::recursive);
    test::flipByte(bad / retrieval::kImageFile, 40);
    QSignalSpy failed(&p, &RetrievalPanel::indexFailed);
    p.openIndex(QString::fromStdString(bad.string()));
    QVERIFY(waitFor([&] { return failed.count() > 0; }, 30000));
    QVERIFY(!p.hasIndex());
    QVERIFY2(p.errorText().contains("image.f32") && p.errorText().contains("damaged"), qPrintable(p.errorText()));
    // Asking anyway: a message, no query.
    QCOMPARE(p.runQuery(QueryKind::FrameToSound), quint64{0});
    QVERIFY(p.errorText().contains("index"));

    // Not an index at all, and a garbled index.json.
    failed.clear();
    p.openIndex(QString::fromStdString(data_.string()));
    QVERIFY(waitFor([&] { return failed.count() > 0; }, 30000));
    QVERIFY2(p.errorText().contains("not a SoundSpot index"), qPrintable(p.errorText()));
    const fs::path garbled = dir_ / "garbled";
    fs::copy(index_, garbled, fs::copy_options::recursive);
    writeFileAtomically(garbled / retrieval::kIndexFile, "{ not json");
    failed.clear();
    p.openIndex(QString::fromStdString(garbled.string()));
    QVERIFY(waitFor([&] { return failed.count() > 0; }, 30000));
    QVERIFY2(p.errorText().contains("index.json"), qPrintable(p.errorText()));

    // A good index after a bad one works.
    openIndex(p, index_);
    QVERIFY(waitForResults(p, p.runQuery(QueryKind::FrameToSound)));
  }

  void regionQueryReturnsSounds() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.setResultCount(3);
    p.show();
    openIndex(p, index_);
    const quint64 id = p.queryRegion(QPointF(0.3, 0.6));
    QVERIFY2(waitForResults(p, id), qPrintable(p.errorText()));
    QCOMPARE(p.results().kind, QueryKind::Region);
    QCOMPARE(p.results().hits.size(), size_t{3});
    QVERIFY(scoresDescending(p.results().hits));
    QVERIFY(!p.results().queryImage.isNull());
    QVERIFY2(p.results().title.contains("(8, 4)"), qPrintable(p.results().title));  // row 0.6*14, column 0.3*14

    // Different regions ask different questions.
    const auto first = p.results().hits;
    QVERIFY(waitForResults(p, p.queryRegion(QPointF(0.95, 0.05))));
    bool differs = false;
    for (size_t i = 0; i < first.size(); ++i) differs |= std::abs(first[i].score - p.results().hits[i].score) > 1e-6f;
    QVERIFY(differs);
  }

  void ctrlClickOnThePictureQueriesTheRegion() {
    MainWindow w;
    w.setShowMessageBoxes(false);
    w.setModelDir(QString::fromStdString(model_.string()));
    w.resize(1200, 700);
    w.show();
    QVERIFY(w.openMedia(QString::fromStdString(clipA_.string())));
    RetrievalPanel& p = *w.retrievalPanel();
    p.setInteractive(false);
    w.showRetrievalPanel();
    openIndex(p, index_);
    QWidget* picture = w.pictureView()->widget();
    const QPoint centre(picture->width() / 2 + 2, picture->height() / 2 + 2);
    QTest::mouseClick(picture, Qt::LeftButton, Qt::ControlModifier, centre);
    QVERIFY2(waitFor([&] { return p.results().kind == QueryKind::Region && !p.results().hits.empty(); }, 60000),
             qPrintable(p.errorText()));
    QVERIFY2(p.results().title.contains("(7, 7)"), qPrintable(p.results().title));  // the centre cell
    // A plain click only queries with Region query on.
    const quint64 before = p.results().id;
    QTest::mouseClick(picture, Qt::LeftButton, {}, centre);
    QTest::qWait(200);
    QCOMPARE(p.results().id, before);
    p.setRegionQueryMode(true);
    QTest::mouseClick(picture, Qt::LeftButton, {}, centre);
    QVERIFY(waitFor([&] { return p.results().id != before; }, 60000));
  }

  void whereIsThisSoundMade() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.setResultCount(3);
    p.setWhereCandidates(5);
    p.show();
    openIndex(p, index_);
    const quint64 id = p.runQuery(QueryKind::WhereIsSound);
    QVERIFY2(waitForResults(p, id), qPrintable(p.errorText()));
    const auto& hits = p.results().hits;
    QCOMPARE(hits.size(), size_t{3});
    QVERIFY(scoresDescending(hits));
    for (const auto& h : hits) {
      QVERIFY(h.hasMap);
      QVERIFY(!h.thumbnail.isNull());
      QVERIFY(h.peakRow >= 0 && h.peakRow < 14 && h.peakCol >= 0 && h.peakCol < 14);
      QCOMPARE(h.score, *std::max_element(h.map.begin(), h.map.end()));
    }
    QVERIFY(p.grid()->hasThumbnail(0));  // made with the map by the worker
  }

  void modelMismatchIsSaidClearly() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.show();
    p.setViewerModelDir(QString::fromStdString(otherModel_.string()));
    openIndex(p, index_);
    QVERIFY(waitFor([&] { return p.modelMismatch(); }, 30000));
    QVERIFY2(p.modelNoteText().contains("mismatch"), qPrintable(p.modelNoteText()));
    p.setViewerModelDir(QString::fromStdString(model_.string()));
    QVERIFY(waitFor([&] { return !p.modelMismatch(); }, 30000));

    // An index built with AVE-Net: region queries say why they cannot run;
    // "where is this sound made" draws its maps with the viewer's AVOL-Net.
    const fs::path aveIndex = dir_ / "index-ave";
    Progress quiet("test", 2);
    retrieval::buildIndex(data_, aveModel_, aveIndex, quiet);
    openIndex(p, aveIndex);
    QVERIFY(waitFor([&] { return p.modelMismatch(); }, 30000));
    p.queryRegion(QPointF(0.5, 0.5));
    QVERIFY(waitFor([&] { return !p.errorText().isEmpty(); }, 30000));
    QVERIFY2(p.errorText().contains("AVOL-Net"), qPrintable(p.errorText()));
    p.setWhereCandidates(3);
    const quint64 id = p.runQuery(QueryKind::WhereIsSound);
    QVERIFY2(waitForResults(p, id), qPrintable(p.errorText()));
    QVERIFY(p.results().hits.front().hasMap);
    QVERIFY2(p.results().note.contains("viewer"), qPrintable(p.results().note));
  }

  void spaceAndHoverPlayTheSecond() {
    RetrievalPanel p;
    p.setInteractive(false);
    p.setContextProvider([this] { return contextA(); });
    p.resize(700, 600);
    p.show();
    QVERIFY(QTest::qWaitForWindowExposed(&p));
    openIndex(p, index_);
    QVERIFY(waitForResults(p, p.runQuery(QueryKind::SoundToSound)));
    QSignalSpy started(&p, &RetrievalPanel::previewStarted);
    p.grid()->setFocus();
    p.grid()->setCurrentRow(1);
    QTest::keyClick(p.grid(), Qt::Key_Space);
    QVERIFY(waitFor([&] { return started.count() > 0; }, 10000));
    QCOMPARE(started.first().first().toInt(), 1);
    started.clear();
    QTest::mouseMove(p.grid()->viewport(), p.grid()->itemRect(2).center());
    QVERIFY2(waitFor([&] { return started.count() > 0; }, 10000), "resting on a result did not play it");
    QCOMPARE(started.first().first().toInt(), 2);
    QSignalSpy finished(&p, &RetrievalPanel::previewFinished);
    QVERIFY2(waitFor([&] { return finished.count() > 0; }, 5000), "the previewed second never ended");
  }

  void followsTheDeviceAndReopensTheLastIndex() {
    {
      RetrievalPanel p;
      p.setInteractive(false);
      openIndex(p, index_);
      QCOMPARE(p.indexSummary().device, QString("cpu"));  // auto on this machine
      // Model ▸ Device: the open index's models move there (the index is reopened).
      QSignalSpy reopened(&p, &RetrievalPanel::indexOpened);
      p.setDevice("cpu");
      QVERIFY2(waitFor([&] { return reopened.count() > 0; }, 60000), qPrintable(p.errorText()));
      QCOMPARE(p.indexSummary().device, QString("cpu"));
    }
    // The next session opens the same index by itself...
    RetrievalPanel again;
    again.setInteractive(false);
    QSignalSpy opened(&again, &RetrievalPanel::indexOpened);
    QVERIFY(again.reopenLastIndex());
    QVERIFY2(waitFor([&] { return opened.count() > 0; }, 60000), qPrintable(again.errorText()));
    QCOMPARE(fs::path(again.indexSummary().dir.toStdString()), fs::absolute(index_));
    // ... and says quietly when it is gone.
    QSettings().setValue("retrieval/index", QString::fromStdString((dir_ / "moved-away").string()));
    RetrievalPanel third;
    QVERIFY(!third.reopenLastIndex());
    QVERIFY2(third.statusText().contains("gone"), qPrintable(third.statusText()));
    QVERIFY(third.errorText().isEmpty());
  }

  // SOUNDSPOT_SCREENSHOT=FILE (tools/screenshots.sh retrieval, under Xvfb):
  // the window with the panel showing "where is this sound made?" results.
  // SOUNDSPOT_SCREENSHOT_DATA=DIR indexes that dataset instead of the tiny
  // one, SOUNDSPOT_SCREENSHOT_QUERY=MEDIA@T opens that clip there (default:
  // the index's first clip at 1.5 s).
  void screenshotWithResults() {
    const QString file = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT");
    if (file.isEmpty()) QSKIP("set SOUNDSPOT_SCREENSHOT=FILE.png to save the window with retrieval results");
    const QString dataEnv = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT_DATA");
    const fs::path data = dataEnv.isEmpty() ? data_ : fs::path(dataEnv.toStdString());
    const QString query = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT_QUERY");  // MEDIA@T, default the first clip at 1.5 s
    // SOUNDSPOT_SCREENSHOT_MODEL: a trained model folder (tools/screenshots.sh passes the bundled one).
    const QString model = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT_MODEL", QString::fromStdString(model_.string()));
    MainWindow w;
    w.setShowMessageBoxes(false);
    w.setModelDir(model);
    w.resize(1500, 900);
    w.show();
    RetrievalPanel& p = *w.retrievalPanel();
    p.setInteractive(false);
    w.showRetrievalPanel();
    w.retrievalDock()->setMinimumWidth(660);
    QSignalSpy finished(&p, &RetrievalPanel::buildFinished);
    QVERIFY(p.buildIndex(QString::fromStdString(data.string()), QString::fromStdString((dir_ / "shot-index").string())));
    QVERIFY2(waitFor([&] { return finished.count() > 0; }, 600000), "the build never finished");
    QVERIFY2(waitFor([&] { return p.hasIndex(); }, 60000), qPrintable(p.errorText()));
    QString media = QString::fromStdString(clipA_.string());
    double at = 1.5;
    if (!query.isEmpty()) {
      media = query.section('@', 0, -2);
      at = query.section('@', -1).toDouble();
    } else if (!dataEnv.isEmpty()) {
      const auto source = retrieval::loadIndex(dir_ / "shot-index");
      media = QString::fromStdString(source.clips.front().media);
    }
    QVERIFY(w.openMedia(media));
    w.seek(at);
    p.setResultCount(9);
    p.setWhereCandidates(24);
    // SOUNDSPOT_SCREENSHOT_KIND: where (default), image-sound, sound-image, image-image, sound-sound.
    const QString kindName = qEnvironmentVariable("SOUNDSPOT_SCREENSHOT_KIND", "where");
    const QueryKind kind = kindName == "image-sound"   ? QueryKind::FrameToSound
                           : kindName == "sound-image" ? QueryKind::SoundToFrame
                           : kindName == "image-image" ? QueryKind::FrameToFrame
                           : kindName == "sound-sound" ? QueryKind::SoundToSound
                                                       : QueryKind::WhereIsSound;
    const quint64 id = p.runQuery(kind);
    QVERIFY2(waitForResults(p, id, 300000), qPrintable(p.errorText()));
    QVERIFY(waitFor([&] { return p.grid()->hasThumbnail(p.grid()->count() - 1); }, 60000));
    QTest::qWait(1000);
    QVERIFY(w.grab().save(file));
  }
};

SOUNDSPOT_TEST(TestRetrievalPanel)
#include "test_retrieval_panel.moc"
