#pragma once
// File ▸ Open recent: the last files opened, newest first, saved as soon as
// the list changes; choosing one asks for it to be opened.
#include <QObject>
#include <QStringList>

class QMenu;

namespace soundspot::ui {

class RecentFilesMenu : public QObject {
  Q_OBJECT
 public:
  RecentFilesMenu(QMenu* menu, QObject* parent);

  // The list as remembered: shown, not saved again.
  void setFiles(const QStringList& files);
  // Puts `path` (made absolute) first.
  void add(const QString& path);
  const QStringList& files() const { return files_; }

 Q_SIGNALS:
  void openRequested(const QString& path);

 private:
  void rebuild();

  QMenu* menu_;
  QStringList files_;
};

}  // namespace soundspot::ui
