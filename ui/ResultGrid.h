#pragma once
// The Retrieval panel's results: a grid of thumbnails (best first), each
// with its rank, score, clip, time and labels. Resting the mouse on a result
// or pressing Space on the selected one asks to hear its second of sound;
// a double-click (or Enter) asks to open the clip there.
#include "ui/RetrievalTypes.h"

#include <QListWidget>
#include <QTimer>

namespace soundspot::ui {

class ResultGrid : public QListWidget {
  Q_OBJECT
 public:
  explicit ResultGrid(QWidget* parent = nullptr);

  void setResults(const RetrievalResults& results);
  void clearResults();
  const std::vector<RetrievalHit>& hits() const { return hits_; }
  // The thumbnail of result `row` (ignored when the row is gone).
  void setThumbnail(int row, const QImage& image);
  bool hasThumbnail(int row) const;
  // Where the item of `row` is drawn (tests: hover and double-click).
  QRect itemRect(int row) const;

 Q_SIGNALS:
  void previewRequested(int row);
  void openRequested(int row);

 protected:
  bool event(QEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  void leaveEvent(QEvent* e) override;

 private:
  std::vector<RetrievalHit> hits_;
  std::vector<bool> hasThumb_;
  QTimer hover_;
  int hoverRow_ = -1;
};

}  // namespace soundspot::ui
