#include "core/assets/ContactSheet.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>

namespace soundspot::assets {

namespace {
// Text needs a QGuiApplication; the CLI has none, so make a headless one.
void ensureGuiApplication() {
  if (QCoreApplication::instance()) return;
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  static int argc = 1;
  static char name[] = "soundspot-cli";
  static char* argv[] = {name, nullptr};
  static QGuiApplication app(argc, argv);
}
}  // namespace

void writeContactSheet(const std::filesystem::path& png, const std::vector<SheetTile>& tiles, int columns) {
  ensureGuiApplication();
  if (tiles.empty()) throw Error(png.string(), "no frames to draw");
  const int tw = tiles[0].width, th = tiles[0].height, caption = 16;
  columns = std::max(1, std::min(columns, int(tiles.size())));
  const int rows = (int(tiles.size()) + columns - 1) / columns;
  QImage sheet(columns * tw, rows * (th + caption), QImage::Format_RGB888);
  sheet.fill(Qt::black);
  QPainter p(&sheet);
  QFont font = p.font();
  font.setPixelSize(11);
  p.setFont(font);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const auto& t = tiles[i];
    const int x = int(i % columns) * tw, y = int(i / columns) * (th + caption);
    p.drawImage(x, y, QImage(t.rgb.data(), t.width, t.height, t.width * 3, QImage::Format_RGB888));
    for (const auto& b : t.boxes) {
      p.setPen(QPen(b.sounding ? QColor(40, 230, 40) : QColor(240, 50, 50), 2));
      p.drawRect(QRectF(x + b.box[0] * t.width, y + b.box[1] * t.height, (b.box[2] - b.box[0]) * t.width,
                        (b.box[3] - b.box[1]) * t.height));
    }
    p.setPen(Qt::white);
    p.drawText(QRect(x + 2, y + th, tw - 4, caption), Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(t.caption));
  }
  p.end();
  writeAtomically(png, [&](const std::filesystem::path& tmp) {
    if (!sheet.save(QString::fromStdString(tmp.string()), "PNG")) throw Error(png.string(), "cannot write PNG");
  });
}

}  // namespace soundspot::assets
