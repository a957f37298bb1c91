#include "ui/RecentFilesMenu.h"

#include "ui/ViewerSettings.h"

#include <QAction>
#include <QFileInfo>
#include <QMenu>

namespace soundspot::ui {
namespace {
constexpr int kMaxRecentFiles = 8;
}

RecentFilesMenu::RecentFilesMenu(QMenu* menu, QObject* parent) : QObject(parent), menu_(menu) {}

void RecentFilesMenu::setFiles(const QStringList& files) {
  files_ = files;
  rebuild();
}

void RecentFilesMenu::add(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  files_.removeAll(absolute);
  files_.prepend(absolute);
  while (files_.size() > kMaxRecentFiles) files_.removeLast();
  rebuild();
  ViewerSettings::saveRecentFiles(files_);
}

void RecentFilesMenu::rebuild() {
  menu_->clear();
  int n = 1;
  for (const QString& f : files_) {
    auto* a = menu_->addAction(QString("&%1 %2").arg(n++).arg(QFileInfo(f).fileName()));
    a->setToolTip(f);
    connect(a, &QAction::triggered, this, [this, f] { Q_EMIT openRequested(f); });
  }
  if (!files_.isEmpty()) {
    menu_->addSeparator();
    menu_->addAction(tr("&Clear list"), this, [this] {
      files_.clear();
      rebuild();
      ViewerSettings::saveRecentFiles(files_);
    });
  }
  menu_->setEnabled(!files_.isEmpty());
}

}  // namespace soundspot::ui
