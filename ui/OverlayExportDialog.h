#pragma once
// File ▸ Export overlay video…: runs the export on a worker thread behind a
// window-modal progress dialog with Cancel, while the window's events go on.
#include "core/engine/OverlayExport.h"
#include "core/nn/Device.h"

#include <QString>

#include <cstdint>
#include <memory>

class QWidget;

namespace soundspot::ui {

struct OverlayExportOutcome {
  bool written = false;  // false and no error: cancelled, nothing written
  QString error;         // the export failed
};

// Loads the model in `modelDir` on `device` and writes `request` with
// `soundtrack`; the dialog counts `frameCount` frames.
OverlayExportOutcome exportOverlayWithProgress(QWidget* parent, const engine::ExportRequest& request,
                                               const QString& modelDir, nn::DeviceChoice device,
                                               std::shared_ptr<const engine::Soundtrack> soundtrack, int64_t frameCount);

}  // namespace soundspot::ui
