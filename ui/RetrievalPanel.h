#pragma once
// The Retrieval panel (View ▸ Retrieval panel): choose an index folder or
// build one for a dataset or media folder (in the background, with progress
// and Cancel), then query it with what the player shows: the current frame
// or the current second of the active audio (swapped audio included), in
// the four directions of the paper; the results are a grid of thumbnails
// with scores and labels. Beyond the paper: a click on the picture queries
// with one region's AVOL-Net embedding ("what does this object sound
// like?"), and "Where is this sound made?" ranks the regions of the whole
// index for the current sound, shown with their maps. Everything heavy runs
// off the UI thread (RetrievalWorker, IndexBuildTask, ThumbnailLoader);
// errors are shown in the panel.
#include "ui/RetrievalTypes.h"

#include <QHash>
#include <QPointF>
#include <QTimer>
#include <QWidget>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace soundspot::ui {

class AudioPlayer;
class IndexBuildTask;
class ResultGrid;
class RetrievalWorker;
class ThumbnailLoader;

class RetrievalPanel : public QWidget {
  Q_OBJECT
 public:
  explicit RetrievalPanel(QWidget* parent = nullptr);
  ~RetrievalPanel() override;

  // Where queries come from: the main window's frame, time and active audio.
  using ContextProvider = std::function<QueryContext()>;
  void setContextProvider(ContextProvider provider) { context_ = std::move(provider); }
  // The viewer's AVOL-Net folder (compared with the index's model).
  void setViewerModelDir(const QString& dir);
  // Where queries and index builds run: "auto" | "cpu" | "cuda" (Model ▸ Device).
  void setDevice(const QString& device);
  // Reopens the index of the last session (QSettings "retrieval/index");
  // when it is gone, says so quietly in the panel. False when none was open.
  bool reopenLastIndex();
  // File dialogs for Open/Build (off in tests and screenshots).
  void setInteractive(bool interactive) { interactive_ = interactive; }

  void openIndex(const QString& dir);
  // Builds the index of `source` (dataset folder, media folder or file) into
  // outDir with modelDir (default: the viewer's model), then opens it.
  bool buildIndex(const QString& source, const QString& outDir, const QString& modelDir = {});
  void cancelBuild();
  bool isBuilding() const;

  // Each returns the query id (0 when it could not be asked: see errorText()).
  quint64 runQuery(QueryKind kind);
  quint64 queryRegion(QPointF framePoint);  // normalised frame coordinates
  bool regionQueryMode() const;             // "Region query" toggled on: plain clicks on the picture query
  void setRegionQueryMode(bool on);

  void setResultCount(int k);
  void setWhereCandidates(int candidates);
  bool isBusy() const;
  bool hasIndex() const { return hasIndex_; }
  const IndexSummary& indexSummary() const { return summary_; }
  const RetrievalResults& results() const { return results_; }
  ResultGrid* grid() const { return grid_; }
  QString errorText() const { return error_; }
  QString statusText() const;
  QString modelNoteText() const;
  bool modelMismatch() const { return mismatch_; }
  // Plays the second of sound of result `row` (also on hover and Space).
  void previewResult(int row);
  int previewsStarted() const { return previewsStarted_; }
  // Deletes the preview's audio sink now. Qt Multimedia 6.4 runs queued
  // events while a sink is deleted: the main window calls this while every
  // widget is still whole (not from ~QDockWidget's deletion of its children).
  void releaseAudio();

 Q_SIGNALS:
  void openClipRequested(const QString& media, double time);
  void indexOpened();
  void indexFailed(const QString& message);
  void resultsShown();
  void errorShown(const QString& message);
  void buildFinished(bool ok);
  void previewStarted(int row);
  void previewFinished();  // the previewed second is over (or was cut short)

 private:
  void buildUi();
  void chooseIndex();
  void chooseBuild();
  void showError(const QString& message);
  void clearError();
  void showResults(const RetrievalResults& results);
  void updateEnabled();
  QueryContext currentContext() const;
  // Sends a query about what the player shows, or explains why it cannot.
  quint64 submitQuery(QueryKind kind, QPointF framePoint, const QString& noIndexMessage, const QString& noMediaMessage);

  RetrievalWorker* worker_ = nullptr;
  IndexBuildTask* build_ = nullptr;
  ThumbnailLoader* loader_ = nullptr;
  AudioPlayer* preview_ = nullptr;  // made on first use
  QTimer previewStop_;

  QLabel *indexLabel_{}, *infoLabel_{}, *noteLabel_{}, *queryImage_{}, *queryTitle_{}, *statusLabel_{};
  QPushButton *openButton_{}, *buildButton_{}, *cancelButton_{}, *regionButton_{}, *whereButton_{};
  QList<QPushButton*> directionButtons_;
  QProgressBar* progress_ = nullptr;
  QWidget* buildRow_ = nullptr;
  QSpinBox* k_ = nullptr;
  ResultGrid* grid_ = nullptr;

  ContextProvider context_;
  QString viewerModelDir_, pendingBuildOut_;
  bool interactive_ = true;
  bool hasIndex_ = false, mismatch_ = false;
  IndexSummary summary_;
  RetrievalResults results_;
  quint64 latestQuery_ = 0;
  quint64 previewKey_ = 0;
  quint64 previewsRequested_ = 0;
  int previewsStarted_ = 0;
  QString error_;
  QHash<QString, QImage> thumbCache_;
};

}  // namespace soundspot::ui
