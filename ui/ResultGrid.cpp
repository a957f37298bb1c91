#include "ui/ResultGrid.h"

#include <QKeyEvent>
#include <QPainter>

#include <cmath>

namespace soundspot::ui {
namespace {

const QSize kIcon(192, 144);

QString timeText(double s) {
  const int total = static_cast<int>(std::max(0.0, s));
  return QString("%1:%2.%3").arg(total / 60).arg(total % 60, 2, 10, QChar('0')).arg(static_cast<int>((s - std::floor(s)) * 10));
}

QPixmap placeholder() {
  QPixmap p(kIcon);
  p.fill(QColor(40, 40, 40));
  QPainter painter(&p);
  painter.setPen(QColor(140, 140, 140));
  painter.drawText(p.rect(), Qt::AlignCenter, QObject::tr("decoding…"));
  return p;
}

// The thumbnail centred on a fixed-size canvas, so that every cell lines up.
QPixmap framed(const QImage& image) {
  QPixmap p(kIcon);
  p.fill(Qt::black);
  QPainter painter(&p);
  const QImage scaled = image.scaled(kIcon, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  painter.drawImage((kIcon.width() - scaled.width()) / 2, (kIcon.height() - scaled.height()) / 2, scaled);
  return p;
}

}  // namespace

ResultGrid::ResultGrid(QWidget* parent) : QListWidget(parent) {
  setViewMode(QListView::IconMode);
  setIconSize(kIcon);
  setGridSize(QSize(kIcon.width() + 16, kIcon.height() + 58));
  setResizeMode(QListView::Adjust);
  setMovement(QListView::Static);
  setUniformItemSizes(true);
  setWordWrap(true);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setMouseTracking(true);
  setSpacing(2);
  hover_.setSingleShot(true);
  hover_.setInterval(350);  // resting on a result, not passing over it
  connect(&hover_, &QTimer::timeout, this, [this] {
    if (hoverRow_ >= 0 && hoverRow_ < count()) Q_EMIT previewRequested(hoverRow_);
  });
  connect(this, &QListWidget::itemEntered, this, [this](QListWidgetItem* item) {
    hoverRow_ = row(item);
    hover_.start();
  });
  connect(this, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) { Q_EMIT openRequested(row(item)); });
}

void ResultGrid::clearResults() {
  hover_.stop();
  hoverRow_ = -1;
  hits_.clear();
  hasThumb_.clear();
  clear();
}

void ResultGrid::setResults(const RetrievalResults& results) {
  clearResults();
  hits_ = results.hits;
  hasThumb_.assign(hits_.size(), false);
  const QPixmap waiting = placeholder();
  for (size_t i = 0; i < hits_.size(); ++i) {
    const RetrievalHit& h = hits_[i];
    QString text = QString("#%1  %2  %3").arg(i + 1).arg(h.score, 0, 'f', 3).arg(timeText(h.time));
    text += "\n" + h.clipId;
    if (!h.labels.isEmpty()) text += "\n" + h.labels.join("; ");
    auto* item = new QListWidgetItem(text, this);
    QString tip = QString("%1 at %2 s\nscore %3").arg(h.media).arg(h.time, 0, 'f', 2).arg(h.score, 0, 'f', 4);
    if (h.hasMap)
      tip += tr("\npeak of the map: %1 at cell (%2, %3); embedding score %4")
                 .arg(h.score, 0, 'f', 3).arg(h.peakRow).arg(h.peakCol).arg(h.coarseScore, 0, 'f', 3);
    if (!h.labels.isEmpty()) tip += "\n" + h.labels.join("; ");
    tip += tr("\nRest here or press Space to hear it; double-click to open it.");
    item->setToolTip(tip);
    item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
    if (!h.thumbnail.isNull()) {
      item->setIcon(QIcon(framed(h.thumbnail)));
      hasThumb_[i] = true;
    } else {
      item->setIcon(QIcon(waiting));
    }
  }
  if (count() > 0) setCurrentRow(0);
}

void ResultGrid::setThumbnail(int r, const QImage& image) {
  if (r < 0 || r >= count() || image.isNull()) return;
  item(r)->setIcon(QIcon(framed(image)));
  hasThumb_[static_cast<size_t>(r)] = true;
}

bool ResultGrid::hasThumbnail(int r) const { return r >= 0 && r < count() && hasThumb_[static_cast<size_t>(r)]; }

QRect ResultGrid::itemRect(int r) const { return r >= 0 && r < count() ? visualItemRect(item(r)) : QRect(); }

bool ResultGrid::event(QEvent* e) {
  // Space belongs to the grid while it has focus (not to Playback ▸ Play).
  if (e->type() == QEvent::ShortcutOverride) {
    auto* k = static_cast<QKeyEvent*>(e);
    if ((k->key() == Qt::Key_Space || k->key() == Qt::Key_Return || k->key() == Qt::Key_Enter) &&
        k->modifiers() == Qt::NoModifier) {
      e->accept();
      return true;
    }
  }
  return QListWidget::event(e);
}

void ResultGrid::keyPressEvent(QKeyEvent* e) {
  if (e->modifiers() == Qt::NoModifier && currentRow() >= 0) {
    if (e->key() == Qt::Key_Space) {
      Q_EMIT previewRequested(currentRow());
      return;
    }
    if (e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) {
      Q_EMIT openRequested(currentRow());
      return;
    }
  }
  QListWidget::keyPressEvent(e);
}

void ResultGrid::leaveEvent(QEvent* e) {
  hover_.stop();
  hoverRow_ = -1;
  QListWidget::leaveEvent(e);
}

}  // namespace soundspot::ui
