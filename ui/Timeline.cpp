#include "ui/Timeline.h"

#include <QMouseEvent>
#include <QSignalBlocker>
#include <QStyle>
#include <QStyleOptionSlider>

#include <cmath>

namespace soundspot::ui {

Timeline::Timeline(QWidget* parent) : QSlider(Qt::Horizontal, parent) {
  setRange(0, 0);
  setToolTip(tr("Click or drag to seek"));
  setFocusPolicy(Qt::NoFocus);  // arrow keys belong to frame stepping
  connect(this, &QSlider::sliderMoved, this, [this](int ms) { Q_EMIT seekRequested(ms / 1000.0); });
}

void Timeline::setDuration(double seconds) { setRange(0, static_cast<int>(std::lround(seconds * 1000))); }

void Timeline::setPosition(double seconds) {
  if (isSliderDown()) return;
  const QSignalBlocker block(this);
  setValue(static_cast<int>(std::lround(seconds * 1000)));
}

double Timeline::timeAt(int x) const {
  QStyleOptionSlider opt;
  initStyleOption(&opt);
  const QRect groove = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderGroove, this);
  const QRect handle = style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
  const int span = std::max(1, groove.width() - handle.width());
  const int pos = x - groove.x() - handle.width() / 2;
  return QStyle::sliderValueFromPosition(minimum(), maximum(), pos, span) / 1000.0;
}

void Timeline::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton) {
    const double t = timeAt(static_cast<int>(event->position().x()));
    {
      const QSignalBlocker block(this);
      setValue(static_cast<int>(std::lround(t * 1000)));
    }
    Q_EMIT seekRequested(t);
  }
  QSlider::mousePressEvent(event);  // starts a drag when the press is on the handle
}

}  // namespace soundspot::ui
