#pragma once
// The picture: a QOpenGLWidget drawing the video frame as one texture and the
// 14x14 localization maps as two more (the two computed maps nearest in time,
// blended by the shader). The shader (shaders/overlay.frag) upsamples
// bilinearly, colours with the shared colormap table, applies the opacity and
// the threshold. Letterboxed: the picture keeps its aspect ratio.
#include "ui/PictureView.h"

#include <QImage>
#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLVertexArrayObject>
#include <QOpenGLWidget>

#include <memory>

class QOpenGLShaderProgram;

namespace soundspot::ui {

class PlayerView : public QOpenGLWidget, public PictureView, protected QOpenGLExtraFunctions {
  Q_OBJECT
 public:
  explicit PlayerView(QWidget* parent = nullptr);
  ~PlayerView() override;

  // frame: any format; converted to RGB888 once.
  void setFrame(const QImage& frame) override;
  // The two maps nearest in time and the blend weight between them (0 = before).
  void setMaps(const engine::HeatMap& before, const engine::HeatMap& after, float blend) override;
  void clearMaps() override;
  bool hasMaps() const { return hasMaps_; }
  QWidget* widget() override { return this; }
  QImage grabPicture() override { return grabFramebuffer(); }

  void setColormap(engine::Colormap map) override;
  void setOpacity(float opacity) override;
  void setThreshold(float threshold) override;
  void setViewMode(ViewMode mode) override;
  engine::Colormap colormap() const { return colormap_; }
  float opacity() const { return opacity_; }
  float threshold() const { return threshold_; }
  ViewMode viewMode() const { return mode_; }

  // Where the picture (or each half of side-by-side) lands, in device pixels,
  // bottom-left origin as glViewport takes it; exposed for tests.
  QRect pictureRect(int deviceWidth, int deviceHeight) const;
  // Whether this platform can give a QOpenGLWidget an OpenGL 3.3 context
  // (not on the offscreen platform, where showing one crashes Qt 6.4).
  static bool openGLAvailable();
  // False when OpenGL 3.3 could not be initialised (see glFailed).
  bool glReady() const { return glReady_; }

  QSize sizeHint() const override { return {960, 540}; }

 Q_SIGNALS:
  void glFailed(const QString& message);

 protected:
  void initializeGL() override;
  void paintGL() override;

 private:
  void uploadPending();
  void drawPicture(int mode);
  GLuint makeTexture(GLint filter);
  void cleanupGL();

  std::unique_ptr<QOpenGLShaderProgram> program_;
  QOpenGLVertexArrayObject vao_;
  QOpenGLBuffer quad_{QOpenGLBuffer::VertexBuffer};
  GLuint frameTex_ = 0, mapTex_[2] = {0, 0}, lutTex_ = 0;
  bool glReady_ = false;

  QImage frame_;
  bool frameDirty_ = false;
  engine::HeatMap maps_[2]{};
  float blend_ = 0;
  bool hasMaps_ = false, mapsDirty_ = false;
  engine::Colormap colormap_ = engine::Colormap::Jet;
  bool lutDirty_ = true;
  float opacity_ = 0.5f, threshold_ = 0.2f;
  ViewMode mode_ = ViewMode::Overlay;
};

}  // namespace soundspot::ui
