#pragma once
// Where a point of the picture widget falls on the video frame: both views
// (PlayerView and SoftwareView) letterbox the picture (two frames wide in
// side by side) centred in the widget.
#include "ui/PictureView.h"

#include <QPointF>
#include <QSize>

#include <optional>

namespace soundspot::ui {

// Normalised frame coordinates (u across, v down, both in [0, 1]) under the
// widget point `pos`, or nothing when it lies in the black border. In side
// by side both halves show the same frame.
std::optional<QPointF> framePointAt(QSize widget, QSize frame, ViewMode mode, QPointF pos);

}  // namespace soundspot::ui
