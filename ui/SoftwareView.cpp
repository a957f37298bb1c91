#include "ui/SoftwareView.h"

#include "ui/PlayerView.h"

#include <QPainter>

namespace soundspot::ui {

PictureView* createPictureView(QWidget* parent) {
  if (PlayerView::openGLAvailable()) return new PlayerView(parent);
  return new SoftwareView(parent);
}

SoftwareView::SoftwareView(QWidget* parent) : QWidget(parent) {
  setMinimumSize(320, 180);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setAttribute(Qt::WA_OpaquePaintEvent);
}

void SoftwareView::setFrame(const QImage& frame) {
  frame_ = frame.convertToFormat(QImage::Format_RGB888);
  update();
}
void SoftwareView::setMaps(const engine::HeatMap& before, const engine::HeatMap& after, float blend) {
  map_ = engine::blendMaps(before, after, blend);
  hasMap_ = true;
  update();
}
void SoftwareView::clearMaps() {
  hasMap_ = false;
  update();
}
void SoftwareView::setColormap(engine::Colormap map) {
  style_.colormap = map;
  update();
}
void SoftwareView::setOpacity(float opacity) {
  style_.opacity = opacity;
  update();
}
void SoftwareView::setThreshold(float threshold) {
  style_.threshold = threshold;
  update();
}
void SoftwareView::setViewMode(ViewMode mode) {
  mode_ = mode;
  update();
}

QImage SoftwareView::composed() const {
  if (frame_.isNull()) return {};
  QImage overlay = frame_.copy();
  if (mode_ == ViewMode::MapOnly) overlay.fill(Qt::black);
  if (hasMap_) {
    engine::OverlayStyle style = style_;
    if (mode_ == ViewMode::MapOnly) style.opacity = 1.f;
    // Rows of a QImage are padded: draw row by row through a packed copy.
    QImage packed = overlay.convertToFormat(QImage::Format_RGB888);
    std::vector<uint8_t> rgb(static_cast<size_t>(packed.width()) * packed.height() * 3);
    for (int y = 0; y < packed.height(); ++y)
      std::copy_n(packed.constScanLine(y), packed.width() * 3, &rgb[static_cast<size_t>(y) * packed.width() * 3]);
    engine::drawOverlay(rgb.data(), packed.width(), packed.height(), map_, style);
    for (int y = 0; y < packed.height(); ++y)
      std::copy_n(&rgb[static_cast<size_t>(y) * packed.width() * 3], packed.width() * 3, packed.scanLine(y));
    overlay = packed;
  }
  if (mode_ != ViewMode::SideBySide) return overlay;
  QImage both(frame_.width() * 2, frame_.height(), QImage::Format_RGB888);
  QPainter p(&both);
  p.drawImage(0, 0, frame_);
  p.drawImage(frame_.width(), 0, overlay);
  return both;
}

void SoftwareView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::black);
  const QImage img = composed();
  if (img.isNull()) return;
  const QSize fitted = img.size().scaled(size(), Qt::KeepAspectRatio);
  const QRect target(QPoint((width() - fitted.width()) / 2, (height() - fitted.height()) / 2), fitted);
  p.setRenderHint(QPainter::SmoothPixmapTransform);
  p.drawImage(target, img);
}

}  // namespace soundspot::ui
