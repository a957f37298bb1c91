#include "ui/FileDialogs.h"

#include <QFileDialog>
#include <QFileInfo>

namespace soundspot::ui {
namespace {

const char* kMediaFilter = "Media (*.mp4 *.mkv *.mov *.webm *.avi *.m4v *.ts *.mpg *.wav *.mp3 *.flac *.ogg *.m4a *.aac);;All files (*)";

}  // namespace

QString askForVideo(QWidget* parent, const QString& startDir) {
  return QFileDialog::getOpenFileName(parent, QObject::tr("Open video"), startDir, QObject::tr(kMediaFilter));
}

QString askForAudioSource(QWidget* parent, const QString& video) {
  return QFileDialog::getOpenFileName(parent, QObject::tr("Swap in the audio of…"), QFileInfo(video).absolutePath(),
                                      QObject::tr(kMediaFilter));
}

QString askForModelDir(QWidget* parent, const QString& current) {
  return QFileDialog::getExistingDirectory(parent, QObject::tr("Choose an AVOL-Net model folder"), current);
}

QString askForExportFile(QWidget* parent, const QString& video) {
  const QFileInfo media(video);
  const QString suggestion = media.absolutePath() + "/" + media.completeBaseName() + "-overlay.mp4";
  return QFileDialog::getSaveFileName(parent, QObject::tr("Export overlay video"), suggestion, QObject::tr("MP4 video (*.mp4)"));
}

}  // namespace soundspot::ui
