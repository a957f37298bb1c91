#pragma once
// What the viewer remembers between runs (QSettings): window layout, view
// mode and overlay style, volume, model folder and device, recent files.
// The keys and their defaults live here only.
#include "core/nn/Device.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace soundspot::ui {

struct ViewerSettings {
  QByteArray windowGeometry, windowState;
  QString colormap = "jet";  // "": none, not saved
  int viewMode = 0;  // a ViewMode (< 0: none, not saved)
  int opacity = 55, threshold = 20, volume = 80;  // percent
  nn::DeviceChoice device = nn::DeviceChoice::Auto;
  QString modelDir;  // the bundled model until another is chosen
  QStringList recentFiles;

  static ViewerSettings load();
  void save() const;

  // Written as soon as they change, not only at close, so a crash keeps them.
  static void saveModelDir(const QString& dir);
  static void saveDevice(nn::DeviceChoice device);
  static void saveRecentFiles(const QStringList& files);
};

}  // namespace soundspot::ui
