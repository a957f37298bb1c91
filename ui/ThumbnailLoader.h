#pragma once
// Decodes what the result grid shows and plays, off the UI thread (one
// std::thread with its own MediaReaders, newest request first): the frame a
// clip shows at a time, as a thumbnail, and the 1 s of a clip's sound
// centred on a time, for the hover preview. Results arrive as signals on the
// owner's thread; clear() drops what is still waiting.
#include "core/engine/Soundtrack.h"

#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>

#include <cstdint>
#include <memory>

namespace soundspot::ui {

class ThumbnailLoader : public QObject {
  Q_OBJECT
 public:
  explicit ThumbnailLoader(QObject* parent = nullptr);
  ~ThumbnailLoader() override;

  void requestFrame(quint64 key, const QString& media, double time, QSize box);
  void requestSound(quint64 key, const QString& media, double time);
  void clear();  // waiting requests are dropped (the running one still reports)

 Q_SIGNALS:
  void frameReady(quint64 key, const QImage& thumbnail);
  // One second of mono 48 kHz sound, as a Soundtrack starting at video time 0.
  void soundReady(quint64 key, std::shared_ptr<const soundspot::engine::Soundtrack> sound);
  void failed(quint64 key, const QString& message);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace soundspot::ui
