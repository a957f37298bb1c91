#pragma once
// The seek bar: a horizontal slider in milliseconds where a click jumps
// straight to the clicked time (not a page step) and dragging seeks live.
#include <QSlider>

namespace soundspot::ui {

class Timeline : public QSlider {
  Q_OBJECT
 public:
  explicit Timeline(QWidget* parent = nullptr);
  void setDuration(double seconds);
  // Moves the handle without emitting seekRequested (ignored while dragging).
  void setPosition(double seconds);
  double timeAt(int x) const;

 Q_SIGNALS:
  void seekRequested(double seconds);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
};

}  // namespace soundspot::ui
