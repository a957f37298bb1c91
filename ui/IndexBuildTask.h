#pragma once
// Builds a retrieval index in the background (retrieval::buildIndex on a
// std::thread): progress in clips, Cancel (the partial build is kept, so
// building the same folder again resumes), the finished index folder or the
// error as signals on the owner's thread.
#include <QObject>
#include <QString>

#include <memory>

namespace soundspot::ui {

class IndexBuildTask : public QObject {
  Q_OBJECT
 public:
  explicit IndexBuildTask(QObject* parent = nullptr);
  ~IndexBuildTask() override;  // cancels and waits

  // source: a dataset folder, a folder of media files or one media file.
  // False (with failed() emitted) when one is running already.
  bool start(const QString& source, const QString& modelDir, const QString& outDir);
  void cancel();
  bool running() const;
  // Where the builds started from now run: "auto" | "cpu" | "cuda".
  void setDevice(const QString& device) { device_ = device; }

 Q_SIGNALS:
  void progress(qint64 done, qint64 total, double etaSeconds, const QString& note);
  void finished(const QString& outDir, const QString& summary);
  void failed(const QString& message, bool cancelled);

 private:
  struct State;
  std::unique_ptr<State> state_;
  QString device_ = "auto";
};

}  // namespace soundspot::ui
