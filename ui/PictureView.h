#pragma once
// What the main window draws the video into: the OpenGL PlayerView, or, on a
// platform without OpenGL 3.3 (the offscreen test platform, remote X without
// GL), SoftwareView, which draws the same overlay on the CPU.
#include "core/engine/Colormap.h"
#include "core/engine/HeatMap.h"

#include <QImage>

class QWidget;

namespace soundspot::ui {

enum class ViewMode { Overlay, MapOnly, SideBySide };

class PictureView {
 public:
  virtual ~PictureView() = default;
  virtual QWidget* widget() = 0;
  virtual void setFrame(const QImage& frame) = 0;
  virtual void setMaps(const engine::HeatMap& before, const engine::HeatMap& after, float blend) = 0;
  virtual void clearMaps() = 0;
  virtual void setColormap(engine::Colormap map) = 0;
  virtual void setOpacity(float opacity) = 0;
  virtual void setThreshold(float threshold) = 0;
  virtual void setViewMode(ViewMode mode) = 0;
  // The picture as currently drawn (screenshots).
  virtual QImage grabPicture() = 0;
};

// PlayerView when OpenGL 3.3 is available, else SoftwareView. Parent owns it.
PictureView* createPictureView(QWidget* parent);

}  // namespace soundspot::ui
