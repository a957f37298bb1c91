#include "ui/ThumbnailLoader.h"

#include "core/media/MediaReader.h"
#include "ui/ThumbnailPainter.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace soundspot::ui {

struct ThumbnailLoader::State {
  struct Request {
    bool sound = false;
    quint64 key = 0;
    std::string media;
    double time = 0;
    QSize box;
  };
  ThumbnailLoader* owner = nullptr;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Request> queue;
  bool stop = false;
  std::map<std::string, std::unique_ptr<media::MediaReader>> readers;  // worker thread only

  media::MediaReader& reader(const std::string& path) {
    auto it = readers.find(path);
    if (it != readers.end()) return *it->second;
    if (readers.size() >= 8) readers.clear();
    return *readers.emplace(path, std::make_unique<media::MediaReader>(path)).first->second;
  }

  void loop() {
    for (;;) {
      Request r;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [this] { return stop || !queue.empty(); });
        if (stop) return;
        // Sound previews first (the user is waiting to hear them), then thumbnails in order.
        auto it = std::find_if(queue.begin(), queue.end(), [](const Request& q) { return q.sound; });
        if (it == queue.end()) it = queue.begin();
        r = std::move(*it);
        queue.erase(it);
      }
      const quint64 key = r.key;
      try {
        media::MediaReader& rd = reader(r.media);
        if (r.sound) {
          if (!rd.info().hasAudio) throw std::runtime_error(r.media + ": has no audio stream");
          auto s = std::make_shared<engine::Soundtrack>();
          s->name = "preview";
          s->path = r.media;
          s->original = false;
          s->samples = rd.audio(r.time - 0.5, 1.0);
          s->samples.resize(engine::kSoundtrackRate, 0.f);
          std::shared_ptr<const engine::Soundtrack> sound = s;
          QMetaObject::invokeMethod(owner, [this, key, sound] { Q_EMIT owner->soundReady(key, sound); }, Qt::QueuedConnection);
        } else {
          const QImage thumb = frameThumbnail(rd.frameAt(r.time), r.box);
          if (thumb.isNull()) throw std::runtime_error(r.media + ": no frame at this time");
          QMetaObject::invokeMethod(owner, [this, key, thumb] { Q_EMIT owner->frameReady(key, thumb); }, Qt::QueuedConnection);
        }
      } catch (const std::exception& e) {
        const QString message = QString::fromStdString(e.what());
        QMetaObject::invokeMethod(owner, [this, key, message] { Q_EMIT owner->failed(key, message); }, Qt::QueuedConnection);
      }
    }
  }

  void push(Request r) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (r.sound)  // only the latest preview matters
        queue.erase(std::remove_if(queue.begin(), queue.end(), [](const Request& q) { return q.sound; }), queue.end());
      queue.push_back(std::move(r));
    }
    wake.notify_one();
  }
};

ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent), state_(std::make_unique<State>()) {
  state_->owner = this;
  state_->thread = std::thread([s = state_.get()] { s->loop(); });
}

ThumbnailLoader::~ThumbnailLoader() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->queue.clear();
  }
  state_->wake.notify_all();
  state_->thread.join();
}

void ThumbnailLoader::requestFrame(quint64 key, const QString& media, double time, QSize box) {
  state_->push({false, key, media.toStdString(), time, box});
}

void ThumbnailLoader::requestSound(quint64 key, const QString& media, double time) {
  state_->push({true, key, media.toStdString(), time, {}});
}

void ThumbnailLoader::clear() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->queue.clear();
}

}  // namespace soundspot::ui
