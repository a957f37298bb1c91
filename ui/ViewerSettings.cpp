#include "ui/ViewerSettings.h"

#include "core/common/Error.h"
#include "core/common/Paths.h"

#include <QSettings>

namespace soundspot::ui {
namespace {

QString defaultModelDir() { return QString::fromStdString((resourceDir() / "models" / "avol").string()); }

QString deviceName(nn::DeviceChoice device) { return QString::fromStdString(nn::toString(device)); }

}  // namespace

ViewerSettings ViewerSettings::load() {
  QSettings s;
  ViewerSettings v;
  v.windowGeometry = s.value("window/geometry").toByteArray();
  v.windowState = s.value("window/state").toByteArray();
  v.colormap = s.value("view/colormap", v.colormap).toString();
  v.viewMode = s.value("view/mode", v.viewMode).toInt();
  v.opacity = s.value("view/opacity", v.opacity).toInt();
  v.threshold = s.value("view/threshold", v.threshold).toInt();
  v.volume = s.value("audio/volume", v.volume).toInt();
  try {
    v.device = nn::parseDeviceChoice(s.value("model/device", "auto").toString().toStdString());
  } catch (const Error&) {
    v.device = nn::DeviceChoice::Auto;  // an unknown name from another version
  }
  v.modelDir = s.value("model/dir", defaultModelDir()).toString();
  v.recentFiles = s.value("recentFiles").toStringList();
  return v;
}

void ViewerSettings::save() const {
  QSettings s;
  s.setValue("window/geometry", windowGeometry);
  s.setValue("window/state", windowState);
  if (!colormap.isEmpty()) s.setValue("view/colormap", colormap);
  if (viewMode >= 0) s.setValue("view/mode", viewMode);
  s.setValue("view/opacity", opacity);
  s.setValue("view/threshold", threshold);
  s.setValue("audio/volume", volume);
  s.setValue("model/device", deviceName(device));
  s.setValue("model/dir", modelDir);
  s.setValue("recentFiles", recentFiles);
}

void ViewerSettings::saveModelDir(const QString& dir) { QSettings().setValue("model/dir", dir); }

void ViewerSettings::saveDevice(nn::DeviceChoice device) { QSettings().setValue("model/device", deviceName(device)); }

void ViewerSettings::saveRecentFiles(const QStringList& files) { QSettings().setValue("recentFiles", files); }

}  // namespace soundspot::ui
