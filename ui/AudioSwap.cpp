#include "ui/AudioSwap.h"

#include "core/media/MediaReader.h"

namespace soundspot::ui {

AudioSwap::AudioSwap(QObject* parent) : QObject(parent) {}

std::shared_ptr<engine::Soundtrack> AudioSwap::originalOf(media::MediaReader& reader, const QString& path) {
  if (!reader.info().hasAudio) return nullptr;
  auto original = std::make_shared<engine::Soundtrack>();
  original->name = "original";
  original->path = path.toStdString();
  original->original = true;
  original->samples = reader.audio(0, reader.info().duration);
  return original;
}

std::shared_ptr<engine::Soundtrack> AudioSwap::silence(double seconds) {
  auto silence = std::make_shared<engine::Soundtrack>();
  silence->name = "no audio";
  silence->original = true;
  silence->samples.assign(static_cast<size_t>(seconds * engine::kSoundtrackRate), 0.f);
  return silence;
}

void AudioSwap::restoreOriginal() {
  if (original_) makeActive(original_);
}

void AudioSwap::swapTo(const QString& path, double offset) {
  makeActive(std::make_shared<engine::Soundtrack>(engine::loadSoundtrack(path.toStdString(), offset, false)));
}

void AudioSwap::moveOffset(double offset) {
  if (!active_ || active_->original) return;
  auto moved = std::make_shared<engine::Soundtrack>(*active_);
  moved->offset = offset;
  makeActive(moved);
}

void AudioSwap::makeActive(std::shared_ptr<const engine::Soundtrack> soundtrack) {
  active_ = std::move(soundtrack);
  Q_EMIT activeChanged(active_);
}

}  // namespace soundspot::ui
