#pragma once
// The viewer's file choosers: a video to open, a file whose audio to swap
// in, a model folder, and where to export the overlay video. Each returns
// "" when the user cancels.
#include <QString>

class QWidget;

namespace soundspot::ui {

QString askForVideo(QWidget* parent, const QString& startDir);
// Starts beside the open video.
QString askForAudioSource(QWidget* parent, const QString& video);
QString askForModelDir(QWidget* parent, const QString& current);
// Suggests <video>-overlay.mp4 beside the video.
QString askForExportFile(QWidget* parent, const QString& video);

}  // namespace soundspot::ui
