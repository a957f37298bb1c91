#include "ui/ThumbnailPainter.h"

#include "core/engine/Overlay.h"

#include <QPainter>
#include <QPen>

#include <algorithm>
#include <vector>

namespace soundspot::ui {

QImage frameThumbnail(const media::RgbFrame& frame, QSize box) {
  if (frame.width <= 0 || frame.height <= 0 || frame.rgb.size() < static_cast<size_t>(frame.width) * frame.height * 3)
    return {};
  const QImage view(frame.rgb.data(), frame.width, frame.height, frame.width * 3, QImage::Format_RGB888);
  return view.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation).convertToFormat(QImage::Format_RGB888);
}

QImage withMapOverlay(const QImage& picture, const engine::HeatMap& map, int peakRow, int peakCol) {
  if (picture.isNull()) return {};
  QImage packed = picture.convertToFormat(QImage::Format_RGB888);
  const int w = packed.width(), h = packed.height();
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) std::copy_n(packed.constScanLine(y), w * 3, &rgb[static_cast<size_t>(y) * w * 3]);
  engine::drawOverlay(rgb.data(), w, h, map, engine::OverlayStyle{});
  for (int y = 0; y < h; ++y) std::copy_n(&rgb[static_cast<size_t>(y) * w * 3], w * 3, packed.scanLine(y));
  if (peakRow >= 0 && peakCol >= 0) {
    QPainter p(&packed);
    p.setRenderHint(QPainter::Antialiasing);
    const double cw = double(w) / engine::kMapSize, ch = double(h) / engine::kMapSize;
    const QPointF centre((peakCol + 0.5) * cw, (peakRow + 0.5) * ch);
    const double radius = std::max(6.0, 0.9 * std::max(cw, ch));
    p.setPen(QPen(Qt::black, 3));
    p.drawEllipse(centre, radius, radius);
    p.setPen(QPen(Qt::white, 1.5));
    p.drawEllipse(centre, radius, radius);
  }
  return packed;
}

QImage withCellMarked(const QImage& picture, int row, int col) {
  if (picture.isNull()) return {};
  QImage out = picture.convertToFormat(QImage::Format_RGB888);
  QPainter p(&out);
  const double cw = double(out.width()) / engine::kMapSize, ch = double(out.height()) / engine::kMapSize;
  const QRectF cell(col * cw, row * ch, cw, ch);
  p.setPen(QPen(Qt::black, 3));
  p.drawRect(cell.adjusted(-1, -1, 1, 1));
  p.setPen(QPen(QColor(255, 220, 0), 1.5));
  p.drawRect(cell.adjusted(-1, -1, 1, 1));
  return out;
}

}  // namespace soundspot::ui
