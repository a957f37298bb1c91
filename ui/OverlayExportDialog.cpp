#include "ui/OverlayExportDialog.h"

#include "core/common/Progress.h"
#include "core/engine/MapModel.h"

#include <QApplication>
#include <QFileInfo>
#include <QProgressDialog>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace soundspot::ui {

OverlayExportOutcome exportOverlayWithProgress(QWidget* parent, const engine::ExportRequest& request,
                                               const QString& modelDir, nn::DeviceChoice device,
                                               std::shared_ptr<const engine::Soundtrack> soundtrack, int64_t frameCount) {
  const QString name = QFileInfo(QString::fromStdString(request.output.string())).fileName();
  QProgressDialog dialog(QObject::tr("Exporting %1…").arg(name), QObject::tr("Cancel"), 0, static_cast<int>(frameCount), parent);
  dialog.setWindowModality(Qt::WindowModal);
  dialog.setMinimumDuration(0);
  dialog.setValue(0);
  CancelToken cancel;
  QObject::connect(&dialog, &QProgressDialog::canceled, &dialog, [&cancel] { cancel.cancel(); });
  std::atomic<int64_t> done{0};
  std::atomic<bool> finished{false};
  bool written = false;
  std::string error;
  const std::string model = modelDir.toStdString();
  std::thread worker([&] {
    try {
      engine::MapModel mapModel(model, device);
      written = engine::exportOverlayVideo(request, mapModel, *soundtrack,
                                           [&](int64_t d, int64_t, double, const std::string&) { done = d; }, &cancel);
    } catch (const std::exception& e) {
      error = e.what();
    }
    finished = true;
  });
  // The UI thread keeps the dialog (and the window) alive until the worker is done.
  while (!finished) {
    dialog.setValue(static_cast<int>(done.load()));
    QApplication::processEvents(QEventLoop::AllEvents, 50);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  worker.join();
  dialog.reset();
  return {written, QString::fromStdString(error)};
}

}  // namespace soundspot::ui
