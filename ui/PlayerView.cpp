#include "ui/PlayerView.h"

#include <QGuiApplication>
#include <QOpenGLContext>
#include <QOpenGLShaderProgram>
#include <QSurfaceFormat>

#include <spdlog/spdlog.h>

#include <algorithm>

// Q_INIT_RESOURCE must be called outside any namespace.
static void initSoundspotResources() { Q_INIT_RESOURCE(soundspot); }

namespace soundspot::ui {

PlayerView::PlayerView(QWidget* parent) : QOpenGLWidget(parent) {
  initSoundspotResources();
  QSurfaceFormat format = QSurfaceFormat::defaultFormat();
  format.setVersion(3, 3);
  format.setProfile(QSurfaceFormat::CoreProfile);
  setFormat(format);
  setMinimumSize(320, 180);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

bool PlayerView::openGLAvailable() {
  static const bool available = [] {
    const QString platform = QGuiApplication::platformName();
    if (platform == QLatin1String("offscreen") || platform == QLatin1String("minimal")) return false;
    QSurfaceFormat format;
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    QOpenGLContext context;
    context.setFormat(format);
    if (!context.create()) return false;
    const QSurfaceFormat actual = context.format();
    return actual.majorVersion() * 10 + actual.minorVersion() >= 33;
  }();
  return available;
}

PlayerView::~PlayerView() {
  // The context outlives this destructor (QOpenGLWidget's own destroys it):
  // its aboutToBeDestroyed must not call back into a half-destroyed view.
  if (context()) disconnect(context(), nullptr, this, nullptr);
  if (glReady_) {
    makeCurrent();
    cleanupGL();
    doneCurrent();
  }
}

void PlayerView::cleanupGL() {
  GLuint textures[] = {frameTex_, mapTex_[0], mapTex_[1], lutTex_};
  glDeleteTextures(4, textures);
  frameTex_ = mapTex_[0] = mapTex_[1] = lutTex_ = 0;
  quad_.destroy();
  vao_.destroy();
  program_.reset();
}

void PlayerView::setFrame(const QImage& frame) {
  frame_ = frame.format() == QImage::Format_RGB888 ? frame : frame.convertToFormat(QImage::Format_RGB888);
  frameDirty_ = true;
  update();
}

void PlayerView::setMaps(const engine::HeatMap& before, const engine::HeatMap& after, float blend) {
  maps_[0] = before;
  maps_[1] = after;
  blend_ = std::clamp(blend, 0.f, 1.f);
  hasMaps_ = mapsDirty_ = true;
  update();
}

void PlayerView::clearMaps() {
  hasMaps_ = false;
  update();
}

void PlayerView::setColormap(engine::Colormap map) {
  colormap_ = map;
  lutDirty_ = true;
  update();
}

void PlayerView::setOpacity(float opacity) {
  opacity_ = std::clamp(opacity, 0.f, 1.f);
  update();
}

void PlayerView::setThreshold(float threshold) {
  threshold_ = std::clamp(threshold, 0.f, 1.f);
  update();
}

void PlayerView::setViewMode(ViewMode mode) {
  mode_ = mode;
  update();
}

GLuint PlayerView::makeTexture(GLint filter) {
  GLuint tex = 0;
  glGenTextures(1, &tex);
  glBindTexture(GL_TEXTURE_2D, tex);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  return tex;
}

void PlayerView::initializeGL() {
  initializeOpenGLFunctions();
  const QSurfaceFormat actual = context()->format();
  if (actual.majorVersion() * 10 + actual.minorVersion() < 33) {
    const QString message = tr("OpenGL 3.3 is needed to draw the video; this system offers %1.%2.")
                                .arg(actual.majorVersion()).arg(actual.minorVersion());
    spdlog::error("{}", message.toStdString());
    Q_EMIT glFailed(message);
    return;
  }
  program_ = std::make_unique<QOpenGLShaderProgram>();
  if (!program_->addShaderFromSourceFile(QOpenGLShader::Vertex, QStringLiteral(":/shaders/overlay.vert")) ||
      !program_->addShaderFromSourceFile(QOpenGLShader::Fragment, QStringLiteral(":/shaders/overlay.frag")) ||
      !program_->link()) {
    const QString message = tr("The overlay shader could not be built: %1").arg(program_->log());
    spdlog::error("{}", message.toStdString());
    program_.reset();
    Q_EMIT glFailed(message);
    return;
  }
  // Two triangles covering the viewport.
  static const float corners[] = {-1, -1, 1, -1, -1, 1, 1, 1};
  vao_.create();
  vao_.bind();
  quad_.create();
  quad_.bind();
  quad_.allocate(corners, sizeof(corners));
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
  vao_.release();

  frameTex_ = makeTexture(GL_LINEAR);
  mapTex_[0] = makeTexture(GL_LINEAR);
  mapTex_[1] = makeTexture(GL_LINEAR);
  lutTex_ = makeTexture(GL_NEAREST);
  frameDirty_ = mapsDirty_ = lutDirty_ = true;
  glReady_ = true;
  connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, [this] {
    makeCurrent();
    cleanupGL();
    glReady_ = false;
    doneCurrent();
  });
  spdlog::debug("PlayerView: OpenGL {}.{} ({})", actual.majorVersion(), actual.minorVersion(),
                reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
}

void PlayerView::uploadPending() {
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (frameDirty_ && !frame_.isNull()) {
    glBindTexture(GL_TEXTURE_2D, frameTex_);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, static_cast<GLint>(frame_.bytesPerLine() / 3));
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, frame_.width(), frame_.height(), 0, GL_RGB, GL_UNSIGNED_BYTE,
                 frame_.constBits());
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    frameDirty_ = false;
  }
  if (mapsDirty_) {
    for (int i = 0; i < 2; ++i) {
      glBindTexture(GL_TEXTURE_2D, mapTex_[i]);
      glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, engine::kMapSize, engine::kMapSize, 0, GL_RED, GL_FLOAT,
                   maps_[i].data());
    }
    mapsDirty_ = false;
  }
  if (lutDirty_) {
    glBindTexture(GL_TEXTURE_2D, lutTex_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, engine::kColormapSize, 1, 0, GL_RGB, GL_UNSIGNED_BYTE,
                 engine::colormapTable(colormap_).data());
    lutDirty_ = false;
  }
}

QRect PlayerView::pictureRect(int deviceWidth, int deviceHeight) const {
  if (frame_.isNull() || deviceWidth <= 0 || deviceHeight <= 0) return {};
  const double pictureAspect = double(frame_.width()) * (mode_ == ViewMode::SideBySide ? 2 : 1) / frame_.height();
  int w = deviceWidth, h = static_cast<int>(deviceWidth / pictureAspect + 0.5);
  if (h > deviceHeight) {
    h = deviceHeight;
    w = static_cast<int>(deviceHeight * pictureAspect + 0.5);
  }
  return QRect((deviceWidth - w) / 2, (deviceHeight - h) / 2, w, h);
}

void PlayerView::drawPicture(int mode) {
  program_->setUniformValue("mode", mode);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
}

void PlayerView::paintGL() {
  const qreal dpr = devicePixelRatioF();
  const int dw = static_cast<int>(width() * dpr + 0.5), dh = static_cast<int>(height() * dpr + 0.5);
  glViewport(0, 0, dw, dh);
  glClearColor(0.f, 0.f, 0.f, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  if (!glReady_ || frame_.isNull()) return;
  uploadPending();

  program_->bind();
  program_->setUniformValue("frameTexture", 0);
  program_->setUniformValue("mapBefore", 1);
  program_->setUniformValue("mapAfter", 2);
  program_->setUniformValue("colormap", 3);
  program_->setUniformValue("mapBlend", blend_);
  program_->setUniformValue("opacity", opacity_);
  program_->setUniformValue("threshold", threshold_);
  program_->setUniformValue("hasMap", hasMaps_ ? 1 : 0);
  const GLuint textures[] = {frameTex_, mapTex_[0], mapTex_[1], lutTex_};
  for (int i = 0; i < 4; ++i) {
    glActiveTexture(GL_TEXTURE0 + i);
    glBindTexture(GL_TEXTURE_2D, textures[i]);
  }
  vao_.bind();
  const QRect r = pictureRect(dw, dh);
  switch (mode_) {
    case ViewMode::Overlay:
      glViewport(r.x(), r.y(), r.width(), r.height());
      drawPicture(0);
      break;
    case ViewMode::MapOnly:
      glViewport(r.x(), r.y(), r.width(), r.height());
      drawPicture(1);
      break;
    case ViewMode::SideBySide: {
      const int half = r.width() / 2;
      glViewport(r.x(), r.y(), half, r.height());
      drawPicture(2);
      glViewport(r.x() + half, r.y(), r.width() - half, r.height());
      drawPicture(0);
      break;
    }
  }
  vao_.release();
  glActiveTexture(GL_TEXTURE0);
  program_->release();
}

}  // namespace soundspot::ui
