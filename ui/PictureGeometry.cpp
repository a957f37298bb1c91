#include "ui/PictureGeometry.h"

#include <cmath>

namespace soundspot::ui {

std::optional<QPointF> framePointAt(QSize widget, QSize frame, ViewMode mode, QPointF pos) {
  if (widget.isEmpty() || frame.isEmpty()) return std::nullopt;
  const int copies = mode == ViewMode::SideBySide ? 2 : 1;
  const double aspect = double(frame.width()) * copies / frame.height();
  double w = widget.width(), h = widget.width() / aspect;
  if (h > widget.height()) {
    h = widget.height();
    w = widget.height() * aspect;
  }
  const double x0 = (widget.width() - w) / 2, y0 = (widget.height() - h) / 2;
  double u = (pos.x() - x0) / w * copies, v = (pos.y() - y0) / h;
  if (u < 0 || v < 0 || u > copies || v > 1) return std::nullopt;
  u -= std::floor(u);
  if (u >= 1) u = 0.999999;
  return QPointF(u, std::min(v, 0.999999));
}

}  // namespace soundspot::ui
