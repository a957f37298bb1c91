#include "ui/IndexBuildTask.h"

#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/nn/Device.h"
#include "core/retrieval/IndexBuilder.h"
#include "core/retrieval/IndexSource.h"
#include "core/retrieval/Index.h"

#include <QCoreApplication>
#include <QPointer>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace soundspot::ui {

namespace fs = std::filesystem;

struct IndexBuildTask::State {
  std::thread thread;
  CancelToken cancel;
  std::atomic<bool> running{false};
  std::chrono::steady_clock::time_point lastReport{};
};

IndexBuildTask::IndexBuildTask(QObject* parent) : QObject(parent), state_(std::make_unique<State>()) {}

IndexBuildTask::~IndexBuildTask() {
  state_->cancel.cancel();
  if (state_->thread.joinable()) state_->thread.join();
}

bool IndexBuildTask::running() const { return state_->running.load(); }

void IndexBuildTask::cancel() { state_->cancel.cancel(); }

bool IndexBuildTask::start(const QString& source, const QString& modelDir, const QString& outDir) {
  if (state_->running) {
    Q_EMIT failed(QCoreApplication::translate("Retrieval", "an index is being built already"), false);
    return false;
  }
  if (state_->thread.joinable()) state_->thread.join();
  state_->cancel.reset();
  state_->running = true;
  const std::string src = source.toStdString(), model = modelDir.toStdString(), out = outDir.toStdString();
  const std::string device = device_.toStdString();
  state_->thread = std::thread([this, src, model, out, device] {
    auto post = [this](auto f) { QMetaObject::invokeMethod(this, std::move(f), Qt::QueuedConnection); };
    try {
      if (!fs::is_regular_file(fs::path(model) / "card.json"))
        throw Error(model.empty() ? std::string("model") : model,
                    "is not a model folder: load a model in the viewer first (Model ▸ Choose model folder…)");
      const retrieval::IndexSource scanned = retrieval::scanSource(src, {}, {out, retrieval::partialBuildDir(out)});
      if (scanned.clips.empty()) throw Error(src, "holds no media files to index");
      Progress bar("index", static_cast<int64_t>(scanned.clips.size()),
                        [this, post](int64_t done, int64_t total, double eta, const std::string& note) {
                          const auto now = std::chrono::steady_clock::now();
                          if (done < total && now - state_->lastReport < std::chrono::milliseconds(100)) return;
                          state_->lastReport = now;
                          const QString n = QString::fromStdString(note);
                          post([this, done, total, eta, n] { Q_EMIT this->progress(done, total, eta, n); });
                        });
      retrieval::BuildOptions options;
      options.device = nn::resolveDevice(nn::parseDeviceChoice(device));
      const retrieval::BuildResult r = retrieval::buildIndex(scanned, model, out, bar, &state_->cancel, options);
      const QString summary = QCoreApplication::translate("Retrieval", "%1 entries from %2 clips (%3 skipped, %4 resumed) in %5 s")
                                  .arg(r.entries).arg(r.clips).arg(r.skipped).arg(r.resumedClips).arg(r.seconds, 0, 'f', 1);
      const QString dir = QString::fromStdString(out);
      state_->running = false;
      post([this, dir, summary] { Q_EMIT finished(dir, summary); });
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      const bool cancelled = state_->cancel.cancelled();
      state_->running = false;
      post([this, message, cancelled] { Q_EMIT failed(message, cancelled); });
    }
  });
  return true;
}

}  // namespace soundspot::ui
