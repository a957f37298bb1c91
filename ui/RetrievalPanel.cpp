#include "ui/RetrievalPanel.h"

#include "ui/AudioPlayer.h"
#include "ui/IndexBuildTask.h"
#include "ui/ResultGrid.h"
#include "ui/RetrievalWorker.h"
#include "ui/ThumbnailLoader.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

namespace soundspot::ui {
namespace {

const QSize kThumbBox(192, 144);

QString thumbKey(const QString& media, double time) { return media + '@' + QString::number(time, 'f', 3); }

quint64 loaderKey(quint64 query, int row) { return (query << 20) | static_cast<quint64>(row); }

}  // namespace

RetrievalPanel::RetrievalPanel(QWidget* parent) : QWidget(parent) {
  worker_ = new RetrievalWorker(this);
  build_ = new IndexBuildTask(this);
  loader_ = new ThumbnailLoader(this);
  buildUi();

  connect(worker_, &RetrievalWorker::indexOpened, this, [this](const IndexSummary& s) {
    hasIndex_ = true;
    summary_ = s;
    indexLabel_->setText(QFileInfo(s.dir).fileName());
    indexLabel_->setToolTip(s.dir);
    infoLabel_->setText(tr("%1 entries · %2 clips%3 · %4, %5-D%6")
                            .arg(s.entries)
                            .arg(s.clips)
                            .arg(s.sourceName.isEmpty() ? QString() : tr(" of %1").arg(s.sourceName))
                            .arg(s.arch)
                            .arg(s.dim)
                            .arg(s.labelled ? tr(" · labelled") : QString()));
    QSettings().setValue("retrieval/index", s.dir);
    clearError();
    updateEnabled();
    Q_EMIT indexOpened();
  });
  connect(worker_, &RetrievalWorker::indexFailed, this, [this](const QString& message) {
    hasIndex_ = false;
    summary_ = {};
    indexLabel_->setText(tr("No index"));
    infoLabel_->clear();
    noteLabel_->clear();
    noteLabel_->hide();
    mismatch_ = false;
    grid_->clearResults();
    results_ = {};
    showError(tr("Cannot open the index: %1").arg(message));
    updateEnabled();
    Q_EMIT indexFailed(message);
  });
  connect(worker_, &RetrievalWorker::modelNote, this, [this](const QString& text, bool mismatch) {
    mismatch_ = mismatch;
    noteLabel_->setText(text);
    noteLabel_->setStyleSheet(mismatch ? "QLabel { background: #5a3a00; color: #ffd27f; padding: 4px; border-radius: 3px; }"
                                       : QString());
    noteLabel_->show();
  });
  connect(worker_, &RetrievalWorker::resultsReady, this, [this](const RetrievalResults& r) {
    if (r.id != latestQuery_) return;  // an older query answered late
    showResults(r);
  });
  connect(worker_, &RetrievalWorker::queryFailed, this, [this](quint64 id, const QString& message) {
    if (id == latestQuery_) showError(message);
  });
  connect(worker_, &RetrievalWorker::busyChanged, this, [this](bool busy) {
    if (busy) statusLabel_->setText(tr("Working…"));
    else if (error_.isEmpty() && statusLabel_->text() == tr("Working…")) statusLabel_->clear();
    updateEnabled();
  });

  connect(build_, &IndexBuildTask::progress, this, [this](qint64 done, qint64 total, double eta, const QString& note) {
    progress_->setMaximum(static_cast<int>(std::max<qint64>(1, total)));
    progress_->setValue(static_cast<int>(done));
    progress_->setFormat(eta > 0 ? tr("%v / %m clips · %1 s left").arg(eta, 0, 'f', 0) : tr("%v / %m clips"));
    progress_->setToolTip(note);
  });
  connect(build_, &IndexBuildTask::finished, this, [this](const QString& dir, const QString& summary) {
    buildRow_->hide();
    statusLabel_->setText(tr("Built %1: %2").arg(QFileInfo(dir).fileName(), summary));
    updateEnabled();
    openIndex(dir);
    Q_EMIT buildFinished(true);
  });
  connect(build_, &IndexBuildTask::failed, this, [this](const QString& message, bool cancelled) {
    buildRow_->hide();
    if (cancelled) {
      clearError();
      statusLabel_->setText(tr("Build cancelled: building the same folder again resumes it."));
    } else {
      showError(tr("Cannot build the index: %1").arg(message));
    }
    updateEnabled();
    Q_EMIT buildFinished(false);
  });

  connect(loader_, &ThumbnailLoader::frameReady, this, [this](quint64 key, const QImage& image) {
    const quint64 query = key >> 20;
    const int row = static_cast<int>(key & 0xFFFFF);
    if (query != results_.id || row >= static_cast<int>(results_.hits.size())) return;
    const RetrievalHit& h = results_.hits[static_cast<size_t>(row)];
    if (thumbCache_.size() > 600) thumbCache_.clear();
    thumbCache_.insert(thumbKey(h.media, h.time), image);
    grid_->setThumbnail(row, image);
  });
  connect(loader_, &ThumbnailLoader::soundReady, this,
          [this](quint64 key, std::shared_ptr<const engine::Soundtrack> sound) {
            if (key != previewKey_) return;
            if (!preview_) preview_ = new AudioPlayer(this);
            preview_->setSoundtrack(std::move(sound));
            preview_->seek(0);
            preview_->play();
            previewStop_.start();
            ++previewsStarted_;
            Q_EMIT previewStarted(static_cast<int>(key & 0xFFFFF));
          });
  connect(loader_, &ThumbnailLoader::failed, this, [](quint64, const QString& message) {
    spdlog::warn("retrieval: {}", message.toStdString());
  });
  previewStop_.setSingleShot(true);
  previewStop_.setInterval(1000);
  connect(&previewStop_, &QTimer::timeout, this, [this] {
    if (preview_) preview_->pause();
    Q_EMIT previewFinished();
  });

  connect(grid_, &ResultGrid::previewRequested, this, &RetrievalPanel::previewResult);
  connect(grid_, &ResultGrid::openRequested, this, [this](int row) {
    if (row < 0 || row >= static_cast<int>(grid_->hits().size())) return;
    const RetrievalHit& h = grid_->hits()[static_cast<size_t>(row)];
    Q_EMIT openClipRequested(h.media, h.time);
  });
  updateEnabled();
}

RetrievalPanel::~RetrievalPanel() {
  // The audio sink runs queued events when deleted (Qt Multimedia 6.4): do
  // it first, while the panel is whole (a main window has done it already).
  releaseAudio();
}

void RetrievalPanel::releaseAudio() {
  if (previewStop_.isActive()) Q_EMIT previewFinished();
  previewStop_.stop();
  previewKey_ = 0;
  delete preview_;
  preview_ = nullptr;
}

void RetrievalPanel::buildUi() {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 6, 6, 6);

  auto* indexRow = new QHBoxLayout;
  indexRow->addWidget(new QLabel(tr("<b>Index</b>"), this));
  indexLabel_ = new QLabel(tr("No index"), this);
  indexLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  indexRow->addWidget(indexLabel_, 1);
  openButton_ = new QPushButton(tr("Open…"), this);
  openButton_->setToolTip(tr("Choose an index folder (soundspot-cli index or Build…)"));
  buildButton_ = new QPushButton(tr("Build…"), this);
  buildButton_->setToolTip(tr("Index a dataset folder or a folder of media files with the viewer's model, in the background"));
  indexRow->addWidget(openButton_);
  indexRow->addWidget(buildButton_);
  layout->addLayout(indexRow);
  connect(openButton_, &QPushButton::clicked, this, &RetrievalPanel::chooseIndex);
  connect(buildButton_, &QPushButton::clicked, this, &RetrievalPanel::chooseBuild);

  buildRow_ = new QWidget(this);
  auto* buildLayout = new QHBoxLayout(buildRow_);
  buildLayout->setContentsMargins(0, 0, 0, 0);
  progress_ = new QProgressBar(buildRow_);
  progress_->setFormat(tr("%v / %m clips"));
  cancelButton_ = new QPushButton(tr("Cancel"), buildRow_);
  buildLayout->addWidget(progress_, 1);
  buildLayout->addWidget(cancelButton_);
  buildRow_->hide();
  layout->addWidget(buildRow_);
  connect(cancelButton_, &QPushButton::clicked, this, &RetrievalPanel::cancelBuild);

  infoLabel_ = new QLabel(this);
  infoLabel_->setWordWrap(true);
  layout->addWidget(infoLabel_);
  noteLabel_ = new QLabel(this);
  noteLabel_->setWordWrap(true);
  noteLabel_->hide();
  layout->addWidget(noteLabel_);

  auto* directions = new QGridLayout;
  const QueryKind kinds[] = {QueryKind::FrameToSound, QueryKind::SoundToFrame, QueryKind::FrameToFrame,
                             QueryKind::SoundToSound};
  const char* tips[] = {"Image → sound: the frame on screen finds seconds of sound",
                        "Sound → image: the second of active audio at the playhead finds frames",
                        "Image → image: the frame on screen finds frames",
                        "Sound → sound: the second of active audio finds seconds of sound"};
  for (int i = 0; i < 4; ++i) {
    auto* b = new QPushButton(queryKindName(kinds[i]), this);
    b->setToolTip(tr(tips[i]));
    directions->addWidget(b, i / 2, i % 2);
    directionButtons_ << b;
    connect(b, &QPushButton::clicked, this, [this, kind = kinds[i]] { runQuery(kind); });
  }
  layout->addLayout(directions);

  auto* extra = new QHBoxLayout;
  whereButton_ = new QPushButton(queryKindName(QueryKind::WhereIsSound), this);
  whereButton_->setToolTip(tr("For the second of active audio at the playhead: the best-matching regions across the "
                              "index's clips, with AVOL-Net's map of each (ring: the peak)"));
  connect(whereButton_, &QPushButton::clicked, this, [this] { runQuery(QueryKind::WhereIsSound); });
  regionButton_ = new QPushButton(tr("Region query"), this);
  regionButton_->setCheckable(true);
  regionButton_->setToolTip(tr("On: a click on the picture asks what that region sounds like (its AVOL-Net embedding "
                               "against the index's sounds). Ctrl+click does it at any time."));
  extra->addWidget(whereButton_, 1);
  extra->addWidget(regionButton_);
  extra->addWidget(new QLabel(tr("Top"), this));
  k_ = new QSpinBox(this);
  k_->setRange(1, 200);
  k_->setValue(12);
  k_->setToolTip(tr("Number of results"));
  extra->addWidget(k_);
  layout->addLayout(extra);

  auto* queryRow = new QHBoxLayout;
  queryImage_ = new QLabel(this);
  queryImage_->setFixedSize(128, 96);
  queryImage_->setAlignment(Qt::AlignCenter);
  queryImage_->hide();
  queryTitle_ = new QLabel(tr("Ask with the buttons above, or Ctrl+click the picture."), this);
  queryTitle_->setWordWrap(true);
  queryRow->addWidget(queryImage_);
  queryRow->addWidget(queryTitle_, 1);
  layout->addLayout(queryRow);

  grid_ = new ResultGrid(this);
  layout->addWidget(grid_, 1);
  statusLabel_ = new QLabel(this);
  statusLabel_->setWordWrap(true);
  layout->addWidget(statusLabel_);
}

QueryContext RetrievalPanel::currentContext() const {
  QueryContext c = context_ ? context_() : QueryContext{};
  return c;
}

void RetrievalPanel::setViewerModelDir(const QString& dir) {
  viewerModelDir_ = dir;
  worker_->setViewerModel(dir);
}

void RetrievalPanel::setDevice(const QString& device) {
  worker_->setDevice(device);
  build_->setDevice(device);
}

bool RetrievalPanel::reopenLastIndex() {
  const QString last = QSettings().value("retrieval/index").toString();
  if (last.isEmpty()) return false;
  if (!QFileInfo::exists(last + "/index.json")) {
    statusLabel_->setText(tr("The index of last time, %1, is gone.").arg(last));
    return false;
  }
  openIndex(last);
  return true;
}

void RetrievalPanel::openIndex(const QString& dir) {
  if (dir.isEmpty()) return;
  clearError();
  statusLabel_->setText(tr("Loading %1…").arg(QFileInfo(dir).fileName()));
  worker_->openIndex(QFileInfo(dir).absoluteFilePath());
}

bool RetrievalPanel::buildIndex(const QString& source, const QString& outDir, const QString& modelDir) {
  const QString model = modelDir.isEmpty() ? viewerModelDir_ : modelDir;
  if (model.isEmpty()) {
    showError(tr("Cannot build an index: no model. Load one with Model ▸ Choose model folder…"));
    return false;
  }
  clearError();
  progress_->setRange(0, 0);  // busy until the first clip is counted
  buildRow_->show();
  statusLabel_->setText(tr("Building %1 from %2…").arg(QFileInfo(outDir).fileName(), QFileInfo(source).fileName()));
  const bool started = build_->start(QFileInfo(source).absoluteFilePath(), QFileInfo(model).absoluteFilePath(),
                                     QFileInfo(outDir).absoluteFilePath());
  if (!started) buildRow_->hide();
  updateEnabled();
  return started;
}

void RetrievalPanel::cancelBuild() { build_->cancel(); }
bool RetrievalPanel::isBuilding() const { return build_->running(); }
bool RetrievalPanel::isBusy() const { return worker_->busy(); }
bool RetrievalPanel::regionQueryMode() const { return regionButton_->isChecked(); }
void RetrievalPanel::setRegionQueryMode(bool on) { regionButton_->setChecked(on); }
void RetrievalPanel::setResultCount(int k) { k_->setValue(k); }
void RetrievalPanel::setWhereCandidates(int candidates) { worker_->setWhereCandidates(candidates); }
QString RetrievalPanel::modelNoteText() const { return noteLabel_->text(); }
QString RetrievalPanel::statusText() const { return statusLabel_->text(); }

quint64 RetrievalPanel::submitQuery(QueryKind kind, QPointF framePoint, const QString& noIndexMessage,
                                    const QString& noMediaMessage) {
  if (!hasIndex_) {
    showError(noIndexMessage);
    return 0;
  }
  const QueryContext c = currentContext();
  if (c.media.isEmpty()) {
    showError(noMediaMessage);
    return 0;
  }
  clearError();
  latestQuery_ = worker_->query(kind, c, k_->value(), framePoint);
  queryTitle_->setText(tr("%1 …").arg(queryKindName(kind)));
  return latestQuery_;
}

quint64 RetrievalPanel::runQuery(QueryKind kind) {
  return submitQuery(kind, {}, tr("Open or build an index first (Open… or Build… above)."),
                     tr("Open a video first: queries use its current frame or second of sound."));
}

quint64 RetrievalPanel::queryRegion(QPointF framePoint) {
  return submitQuery(QueryKind::Region, framePoint,
                     tr("Open or build an index first, then click the picture to ask what a region sounds like."),
                     tr("Open a video first."));
}

void RetrievalPanel::showResults(const RetrievalResults& r) {
  results_ = r;
  loader_->clear();
  for (auto& h : results_.hits)
    if (h.thumbnail.isNull()) {
      const auto it = thumbCache_.constFind(thumbKey(h.media, h.time));
      if (it != thumbCache_.constEnd()) h.thumbnail = it.value();
    }
  grid_->setResults(results_);
  for (size_t i = 0; i < results_.hits.size(); ++i)
    if (!grid_->hasThumbnail(static_cast<int>(i)))
      loader_->requestFrame(loaderKey(r.id, static_cast<int>(i)), results_.hits[i].media, results_.hits[i].time, kThumbBox);
  QString title = r.title + tr(" · %1 results in %2 ms").arg(r.hits.size()).arg(r.milliseconds, 0, 'f', 0);
  if (!r.note.isEmpty()) title += " · " + r.note;
  queryTitle_->setText(title);
  if (!r.queryImage.isNull()) {
    queryImage_->setPixmap(QPixmap::fromImage(r.queryImage.scaled(queryImage_->size(), Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    queryImage_->show();
  } else {
    queryImage_->clear();
    queryImage_->hide();
  }
  if (r.hits.empty()) statusLabel_->setText(tr("No results."));
  Q_EMIT resultsShown();
}

void RetrievalPanel::previewResult(int row) {
  if (row < 0 || row >= static_cast<int>(grid_->hits().size())) return;
  const RetrievalHit& h = grid_->hits()[static_cast<size_t>(row)];
  previewKey_ = loaderKey(results_.id, row) | (static_cast<quint64>(++previewsRequested_) << 40);
  loader_->requestSound(previewKey_, h.media, h.time);
}

void RetrievalPanel::showError(const QString& message) {
  error_ = message;
  statusLabel_->setText(message);
  statusLabel_->setStyleSheet("QLabel { color: #e04040; }");
  spdlog::warn("retrieval panel: {}", message.toStdString());
  Q_EMIT errorShown(message);
}

void RetrievalPanel::clearError() {
  error_.clear();
  statusLabel_->setStyleSheet({});
  statusLabel_->clear();
}

void RetrievalPanel::updateEnabled() {
  const bool building = build_->running();
  buildButton_->setEnabled(!building);
  openButton_->setEnabled(!building);
  for (QPushButton* b : directionButtons_) b->setEnabled(hasIndex_);
  whereButton_->setEnabled(hasIndex_);
  regionButton_->setEnabled(hasIndex_);
}

void RetrievalPanel::chooseIndex() {
  if (!interactive_) return;
  const QString start = QSettings().value("retrieval/index").toString();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a retrieval index folder"),
                                                        start.isEmpty() ? QString() : QFileInfo(start).absolutePath());
  if (!dir.isEmpty()) openIndex(dir);
}

void RetrievalPanel::chooseBuild() {
  if (!interactive_) return;
  const QString source = QFileDialog::getExistingDirectory(
      this, tr("Index which dataset folder (dataset.json) or folder of media files?"), QDir::homePath());
  if (source.isEmpty()) return;
  const QString suggestion = QFileInfo(source).absoluteFilePath() + "-index";
  const QString out = QFileDialog::getSaveFileName(this, tr("Write the index folder to"), suggestion, QString(), nullptr,
                                                   QFileDialog::DontConfirmOverwrite);
  if (!out.isEmpty()) buildIndex(source, out);
}

}  // namespace soundspot::ui
