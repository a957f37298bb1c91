#pragma once
// The picture drawn on the CPU with the same overlay rule as the shader
// (core/engine/Overlay.h): used where OpenGL 3.3 is not available.
#include "core/engine/Overlay.h"
#include "ui/PictureView.h"

#include <QWidget>

namespace soundspot::ui {

class SoftwareView : public QWidget, public PictureView {
  Q_OBJECT
 public:
  explicit SoftwareView(QWidget* parent = nullptr);
  QWidget* widget() override { return this; }
  void setFrame(const QImage& frame) override;
  void setMaps(const engine::HeatMap& before, const engine::HeatMap& after, float blend) override;
  void clearMaps() override;
  void setColormap(engine::Colormap map) override;
  void setOpacity(float opacity) override;
  void setThreshold(float threshold) override;
  void setViewMode(ViewMode mode) override;
  QImage grabPicture() override { return grab().toImage(); }
  QSize sizeHint() const override { return {960, 540}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage composed() const;

  QImage frame_;
  engine::HeatMap map_{};
  bool hasMap_ = false;
  engine::OverlayStyle style_;
  ViewMode mode_ = ViewMode::Overlay;
};

}  // namespace soundspot::ui
