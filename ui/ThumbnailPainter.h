#pragma once
// The pictures of the Retrieval panel: a decoded frame as a thumbnail, with
// an AVOL-Net map overlaid and its peak region marked, or with one 14x14
// cell marked (the region a query came from). Safe on any thread (QImage
// and QPainter on images only).
#include "core/engine/HeatMap.h"
#include "core/media/RgbFrame.h"

#include <QImage>
#include <QSize>

namespace soundspot::ui {

// Scaled to fit `box` (aspect kept). Null for an empty frame.
QImage frameThumbnail(const media::RgbFrame& frame, QSize box);
// The map drawn over the picture with the viewer's rule (jet, opacity 0.5,
// threshold 0.2; engine::drawOverlay) and a ring around the peak cell.
QImage withMapOverlay(const QImage& picture, const engine::HeatMap& map, int peakRow, int peakCol);
// A rectangle around cell (row, col) of the 14x14 grid.
QImage withCellMarked(const QImage& picture, int row, int col);

}  // namespace soundspot::ui
