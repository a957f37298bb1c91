#pragma once
// The Retrieval panel's background thread: loads an index and the models it
// needs, and answers queries (the four directions, region queries and
// "where is this sound made?") without ever blocking the UI thread. Jobs
// run one at a time on one std::thread; a new query replaces a query still
// waiting, and a new index drops the queries asked of the old one. Results
// come back as signals on the thread that owns the worker. torch stays out
// of this header (the models are behind core/retrieval's plain headers).
#include "ui/RetrievalTypes.h"

#include <QObject>
#include <QPointF>

#include <cstdint>
#include <memory>

namespace soundspot::ui {

class RetrievalWorker : public QObject {
  Q_OBJECT
 public:
  explicit RetrievalWorker(QObject* parent = nullptr);
  ~RetrievalWorker() override;  // drops waiting jobs, waits for the running one

  // Loads the index folder and the model recorded in it (the viewer's model
  // when that one is gone and has the same embedding size).
  void openIndex(const QString& dir);
  // The viewer's loaded AVOL-Net ("" = none): compared with the index's
  // model, and used for the maps when the index was built with another
  // architecture.
  void setViewerModel(const QString& dir);
  // Queues a query; returns its id (results and failures carry it). Region
  // queries take the clicked point in normalised frame coordinates.
  uint64_t query(QueryKind kind, const QueryContext& context, int k, QPointF region = {});
  // Where the query models run: "auto" | "cpu" | "cuda" (Model ▸ Device);
  // an open index reloads its models there.
  void setDevice(const QString& device);
  // Candidates refined with maps for WhereIsSound (default 24).
  void setWhereCandidates(int candidates);
  bool busy() const;
  bool hasIndex() const;

 Q_SIGNALS:
  void indexOpened(const soundspot::ui::IndexSummary& summary);
  void indexFailed(const QString& message);
  // Which models are in play; mismatch: the index and the viewer use different ones.
  void modelNote(const QString& text, bool mismatch);
  void resultsReady(const soundspot::ui::RetrievalResults& results);
  void queryFailed(quint64 id, const QString& message);
  void busyChanged(bool busy);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace soundspot::ui
