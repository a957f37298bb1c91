#pragma once
// Which soundtrack is heard and localized: the open video's own audio, or
// another file's audio swapped in (at an offset the audio panel can move).
#include "core/engine/Soundtrack.h"

#include <QObject>
#include <QString>

#include <memory>

namespace soundspot::media {
class MediaReader;
}

namespace soundspot::ui {

class AudioSwap : public QObject {
  Q_OBJECT
 public:
  explicit AudioSwap(QObject* parent);

  // All of the video's own audio; null when it has none.
  static std::shared_ptr<engine::Soundtrack> originalOf(media::MediaReader& reader, const QString& path);
  // Silence `seconds` long: a video without audio still has a clock and maps.
  static std::shared_ptr<engine::Soundtrack> silence(double seconds);

  // The open video's audio; heard once restoreOriginal() is called.
  void setOriginal(std::shared_ptr<const engine::Soundtrack> original) { original_ = std::move(original); }
  void restoreOriginal();
  // Another file's audio from `offset` seconds on; throws when it cannot be used.
  void swapTo(const QString& path, double offset);
  // Shifts swapped-in audio; the original stays where it is.
  void moveOffset(double offset);

  std::shared_ptr<const engine::Soundtrack> active() const { return active_; }
  bool isSwapped() const { return active_ && !active_->original; }

 Q_SIGNALS:
  void activeChanged(const std::shared_ptr<const engine::Soundtrack>& active);

 private:
  void makeActive(std::shared_ptr<const engine::Soundtrack> soundtrack);

  std::shared_ptr<const engine::Soundtrack> original_, active_;
};

}  // namespace soundspot::ui
