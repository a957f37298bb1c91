// PlayerView renders a known 14x14 map over a known frame; the pixel colours
// at chosen points are checked against values computed here from the
// colormap table and the overlay rule (not from the shader's own output).
// Needs a GL 3.3 context (xcb under Xvfb); skips cleanly without one.
#include "core/engine/Colormap.h"
#include "tests/support/TestRegistry.h"
#include "ui/PlayerView.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace soundspot;
using soundspot::ui::PlayerView;
using soundspot::ui::ViewMode;

namespace {

const QColor kFrameColour(60, 120, 180);

QImage solidFrame(int w, int h) {
  QImage img(w, h, QImage::Format_RGB888);
  img.fill(kFrameColour);
  return img;
}

// Left 7 columns hot (0.9), right 7 columns cold (0.05, below the threshold).
engine::HeatMap halfHotMap() {
  engine::HeatMap m{};
  for (int y = 0; y < engine::kMapSize; ++y)
    for (int x = 0; x < engine::kMapSize; ++x) m[y * engine::kMapSize + x] = x < 7 ? 0.9f : 0.05f;
  return m;
}

engine::HeatMap constantMap(float v) {
  engine::HeatMap m;
  m.fill(v);
  return m;
}

QColor lutColour(engine::Colormap cmap, float value) {
  const auto& c = engine::colormapTable(cmap)[engine::colormapIndex(value)];
  return QColor(c[0], c[1], c[2]);
}

QColor mixed(const QColor& frame, const QColor& colour, float opacity) {
  auto m = [&](int a, int b) { return int(std::lround(a * (1 - opacity) + b * opacity)); };
  return QColor(m(frame.red(), colour.red()), m(frame.green(), colour.green()), m(frame.blue(), colour.blue()));
}

bool near(const QColor& a, const QColor& b, int tolerance = 3) {
  return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance &&
         std::abs(a.blue() - b.blue()) <= tolerance;
}

QString describe(const QColor& c) { return QString("(%1,%2,%3)").arg(c.red()).arg(c.green()).arg(c.blue()); }

}  // namespace

class TestPlayerView : public QObject {
  Q_OBJECT
  std::unique_ptr<PlayerView> view_;

  // Shows a view of the given size or skips the test when GL is unavailable.
  bool makeView(int w, int h) {
    if (!PlayerView::openGLAvailable()) return false;
    view_ = std::make_unique<PlayerView>();
    view_->resize(w, h);
    view_->show();
    if (!QTest::qWaitForWindowExposed(view_.get())) return false;
    view_->grabFramebuffer();  // forces initializeGL
    return view_->context() != nullptr && view_->glReady();
  }

  QImage grab() {
    QImage img = view_->grabFramebuffer();
    const qreal dpr = img.devicePixelRatio();
    return dpr == 1.0 ? img : img.scaled(img.size() / dpr);
  }

 private Q_SLOTS:
  void cleanup() { view_.reset(); }

  void overlayColoursEachColormap() {
    if (!makeView(280, 280)) QSKIP("no OpenGL 3.3 context on this platform (run under Xvfb with QT_QPA_PLATFORM=xcb)");
    view_->setFrame(solidFrame(56, 56));
    view_->setMaps(halfHotMap(), halfHotMap(), 0.f);
    view_->setOpacity(0.5f);
    view_->setThreshold(0.2f);
    for (engine::Colormap cmap : engine::allColormaps()) {
      view_->setColormap(cmap);
      const QImage img = grab();
      const QColor hot = img.pixelColor(40, 140), cold = img.pixelColor(240, 140);
      const QColor expectedHot = mixed(kFrameColour, lutColour(cmap, 0.9f), 0.5f);
      QVERIFY2(near(hot, expectedHot), qPrintable(QString::fromStdString(engine::toString(cmap)) + ": hot " +
                                                  describe(hot) + " expected " + describe(expectedHot)));
      QVERIFY2(near(cold, kFrameColour), qPrintable("below threshold must leave the frame: " + describe(cold)));
    }
  }

  void mapOnlyAndOpacity() {
    if (!makeView(280, 280)) QSKIP("no OpenGL 3.3 context on this platform");
    view_->setFrame(solidFrame(56, 56));
    view_->setMaps(halfHotMap(), halfHotMap(), 0.f);
    view_->setColormap(engine::Colormap::Inferno);
    view_->setViewMode(ViewMode::MapOnly);
    QImage img = grab();
    QVERIFY2(near(img.pixelColor(40, 140), lutColour(engine::Colormap::Inferno, 0.9f)), qPrintable(describe(img.pixelColor(40, 140))));
    QVERIFY(near(img.pixelColor(240, 140), QColor(0, 0, 0)));
    view_->setViewMode(ViewMode::Overlay);
    view_->setOpacity(1.f);
    img = grab();
    QVERIFY(near(img.pixelColor(40, 140), lutColour(engine::Colormap::Inferno, 0.9f)));
    view_->setOpacity(0.f);
    img = grab();
    QVERIFY(near(img.pixelColor(40, 140), kFrameColour));
  }

  void blendsTheTwoNearestMaps() {
    if (!makeView(200, 200)) QSKIP("no OpenGL 3.3 context on this platform");
    view_->setFrame(solidFrame(40, 40));
    view_->setColormap(engine::Colormap::Viridis);
    view_->setOpacity(1.f);
    view_->setThreshold(0.f);
    view_->setMaps(constantMap(0.2f), constantMap(0.8f), 0.25f);
    const QImage img = grab();
    const QColor expected = lutColour(engine::Colormap::Viridis, 0.35f);
    QVERIFY2(near(img.pixelColor(100, 100), expected), qPrintable(describe(img.pixelColor(100, 100)) + " vs " + describe(expected)));
  }

  void letterboxAndSideBySide() {
    if (!makeView(400, 200)) QSKIP("no OpenGL 3.3 context on this platform");
    view_->setFrame(solidFrame(40, 40));  // square frame in a 2:1 widget: black bars left and right
    view_->setMaps(constantMap(0.9f), constantMap(0.9f), 0.f);
    view_->setColormap(engine::Colormap::Greyscale);
    view_->setOpacity(1.f);
    QImage img = grab();
    QVERIFY(near(img.pixelColor(20, 100), QColor(0, 0, 0)));
    QVERIFY(near(img.pixelColor(380, 100), QColor(0, 0, 0)));
    QVERIFY(near(img.pixelColor(200, 100), lutColour(engine::Colormap::Greyscale, 0.9f)));
    // Side by side fills the 2:1 widget: frame on the left, overlay on the right.
    view_->setViewMode(ViewMode::SideBySide);
    img = grab();
    QVERIFY2(near(img.pixelColor(100, 100), kFrameColour), qPrintable(describe(img.pixelColor(100, 100))));
    QVERIFY(near(img.pixelColor(300, 100), lutColour(engine::Colormap::Greyscale, 0.9f)));
  }
};
SOUNDSPOT_TEST(TestPlayerView)
#include "test_player_view.moc"
