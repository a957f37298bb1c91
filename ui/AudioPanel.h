#pragma once
// The soundtrack panel: the waveform of the audio the picture is listening
// to, which audio that is, its offset, and the controls to swap in another
// clip's audio (drop a file here or choose one) and to go back to the
// original with one click.
#include "core/engine/Soundtrack.h"

#include <QFrame>

#include <memory>

class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace soundspot::ui {

class WaveformView;

class AudioPanel : public QFrame {
  Q_OBJECT
 public:
  explicit AudioPanel(QWidget* parent = nullptr);
  void setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack);
  void setPlayhead(double seconds);
  void setVideoDuration(double seconds);
  QString activeName() const;
  double offset() const;

 Q_SIGNALS:
  void audioFileChosen(const QString& path);  // dropped or chosen
  void chooseAudioRequested();
  void offsetChanged(double seconds);
  void restoreOriginalRequested();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  WaveformView* waveform_;
  QLabel* title_;
  QDoubleSpinBox* offset_;
  QPushButton* choose_;
  QPushButton* restore_;
  std::shared_ptr<const engine::Soundtrack> soundtrack_;
};

}  // namespace soundspot::ui
