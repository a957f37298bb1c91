#include "ui/RetrievalWorker.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/engine/MapModel.h"
#include "core/media/MediaReader.h"
#include "core/nn/Device.h"
#include "core/retrieval/Encoder.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/RegionEmbedder.h"
#include "core/retrieval/Search.h"
#include "ui/ThumbnailPainter.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace soundspot::ui {

namespace fs = std::filesystem;

namespace {

const QSize kThumbBox(192, 144);
const QSize kQueryBox(160, 120);

QString tr(const char* text) { return QCoreApplication::translate("Retrieval", text); }

QString archName(const std::string& arch) {
  if (arch == "avol") return "AVOL-Net";
  if (arch == "ave") return "AVE-Net";
  if (arch == "l3") return "L3-Net";
  return QString::fromStdString(arch.empty() ? "unknown" : arch);
}

QString timeText(double s) {
  const int total = static_cast<int>(std::max(0.0, s));
  return QString("%1:%2.%3").arg(total / 60).arg(total % 60, 2, 10, QChar('0')).arg(static_cast<int>((s - std::floor(s)) * 10));
}

bool hasCard(const std::string& dir) { return !dir.empty() && fs::is_regular_file(fs::path(dir) / "card.json"); }

}  // namespace

struct RetrievalWorker::State {
  enum class Kind { Index, Model, Device, Query };
  struct Job {
    Kind kind;
    std::function<void()> run;
  };

  explicit State(RetrievalWorker* o) : owner(o) {}

  RetrievalWorker* owner;
  std::thread thread;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> jobs;
  bool stop = false;
  std::atomic<int> pending{0};
  std::atomic<uint64_t> nextId{1}, latestQuery{0};
  std::atomic<bool> indexLoaded{false};
  std::atomic<int> whereCandidates{24};

  // Touched by the worker thread only.
  std::shared_ptr<const retrieval::Index> index;
  std::string indexDir, indexArch, indexHash, indexModelDir;
  std::unique_ptr<retrieval::Encoder> encoder;
  std::string encoderDir, encoderArch;
  std::unique_ptr<retrieval::RegionEmbedder> regions;
  std::unique_ptr<engine::MapModel> mapModel;
  std::string mapModelDir;
  std::string viewerDir, viewerHash;
  nn::DeviceChoice deviceChoice = nn::DeviceChoice::Auto;
  std::map<std::string, std::unique_ptr<media::MediaReader>> readers;

  template <class F>
  void post(F&& f) {
    QMetaObject::invokeMethod(owner, std::forward<F>(f), Qt::QueuedConnection);
  }

  void enqueue(Kind kind, std::function<void()> run) {
    int dropped = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      // A new query replaces waiting ones; a new index drops everything asked of the old one.
      auto superseded = [kind](const Job& j) {
        return (kind == Kind::Query && j.kind == Kind::Query) ||
               (kind == Kind::Index && (j.kind == Kind::Query || j.kind == Kind::Index));
      };
      const auto before = jobs.size();
      jobs.erase(std::remove_if(jobs.begin(), jobs.end(), superseded), jobs.end());
      dropped = static_cast<int>(before - jobs.size());
      jobs.push_back({kind, std::move(run)});
    }
    const int was = pending.fetch_add(1 - dropped);
    wake.notify_one();
    if (was == 0) Q_EMIT owner->busyChanged(true);
  }

  void loop() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [this] { return stop || !jobs.empty(); });
        if (stop) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job.run();
      if (pending.fetch_sub(1) == 1)
        post([this] {
          if (pending.load() == 0) Q_EMIT owner->busyChanged(false);
        });
    }
  }

  media::MediaReader& reader(const std::string& path) {
    auto it = readers.find(path);
    if (it != readers.end()) return *it->second;
    if (readers.size() >= 8) readers.clear();
    auto r = std::make_unique<media::MediaReader>(path);
    return *readers.emplace(path, std::move(r)).first->second;
  }

  media::RgbFrame frameAt(const std::string& path, double t) {
    media::MediaReader& r = reader(path);
    if (!r.info().hasVideo) throw Error(path, "has no video stream");
    media::RgbFrame f = r.frameAt(t);
    if (f.rgb.empty()) throw Error(path, "no frame at " + std::to_string(t) + " s");
    return f;
  }

  // --- jobs ---------------------------------------------------------------

  void doOpenIndex(const std::string& dir) {
    indexLoaded = false;
    index.reset();
    encoder.reset();
    regions.reset();
    mapModel.reset();
    mapModelDir.clear();
    readers.clear();
    try {
      auto loaded = std::make_shared<retrieval::Index>(retrieval::loadIndex(dir));
      indexArch = loaded->model.value("arch", "");
      indexHash = loaded->model.value("weights_hash", "");
      indexModelDir = loaded->model.value("dir", "");
      std::string modelDir = indexModelDir;
      if (!hasCard(modelDir)) {
        if (!hasCard(viewerDir))
          throw Error(modelDir.empty() ? dir : modelDir,
                      "the model that built this index is gone: load it (or one with the same embeddings) in the viewer "
                      "with Model ▸ Choose model folder…");
        modelDir = viewerDir;
      }
      const std::string device = nn::resolveDevice(deviceChoice);
      auto enc = std::make_unique<retrieval::Encoder>(modelDir, device);
      if (enc->dim() != loaded->dim)
        throw Error(modelDir, "gives " + std::to_string(enc->dim()) + "-D embeddings but the index holds " +
                                  std::to_string(loaded->dim) + "-D ones: not the model of this index");
      encoderArch = enc->arch();
      if (encoderArch == "avol") regions = std::make_unique<retrieval::RegionEmbedder>(modelDir, device);
      encoder = std::move(enc);
      encoderDir = modelDir;
      index = loaded;
      indexDir = dir;
      indexLoaded = true;

      IndexSummary s;
      s.dir = QString::fromStdString(dir);
      s.entries = index->size();
      s.clips = static_cast<int64_t>(index->clips.size());
      s.dim = index->dim;
      s.arch = archName(indexArch);
      s.modelDir = QString::fromStdString(indexModelDir);
      if (!index->sources.empty() && index->sources[0].is_object())
        s.sourceName = QString::fromStdString(index->sources[0].value("name", ""));
      for (const auto& c : index->clips) s.labelled |= !c.labels.empty();
      s.device = QString::fromStdString(device);
      post([this, s] { Q_EMIT owner->indexOpened(s); });
      spdlog::info("retrieval: index {} ({} entries) with {} from {}", dir, index->size(), encoderArch, encoderDir);
    } catch (const std::exception& e) {
      const QString message = QString::fromStdString(e.what());
      post([this, message] { Q_EMIT owner->indexFailed(message); });
      return;
    }
    emitModelNote();
  }

  void doSetDevice(nn::DeviceChoice choice) {
    if (choice == deviceChoice) return;
    deviceChoice = choice;
    mapModel.reset();
    mapModelDir.clear();
    if (indexLoaded) doOpenIndex(indexDir);  // the encoders move to the new device
  }

  void doSetViewerModel(const std::string& dir) {
    viewerDir = dir;
    viewerHash.clear();
    if (hasCard(dir)) {
      try {
        viewerHash = retrieval::modelContentHash(dir);
      } catch (const std::exception& e) {
        spdlog::warn("retrieval: {}", e.what());
      }
    }
    if (mapModelDir == dir || encoderArch != "avol") {
      mapModel.reset();
      mapModelDir.clear();
    }
    if (index) emitModelNote();
  }

  // Which model answers what, and whether the index and the viewer disagree.
  std::string mapModelChoice() const {
    if (encoderArch == "avol") return encoderDir;
    return hasCard(viewerDir) ? viewerDir : std::string();
  }

  void emitModelNote() {
    QString text;
    bool mismatch = false;
    const QString indexModel = tr("%1 (%2)").arg(archName(indexArch), QString::fromStdString(indexModelDir));
    if (encoderDir != indexModelDir) {
      mismatch = true;
      text = tr("⚠ The model that built this index (%1) is gone: queries use the viewer's model (%2) instead, "
                "scores may be meaningless.")
                 .arg(indexModel, QString::fromStdString(encoderDir));
    } else if (viewerHash.empty()) {
      text = tr("Queries use the index's model, %1. The viewer has no model loaded.").arg(indexModel);
    } else if (viewerHash == indexHash) {
      text = tr("The index was built with the model the viewer has loaded: %1.").arg(indexModel);
    } else {
      mismatch = true;
      const std::string maps = mapModelChoice();
      text = tr("⚠ Model mismatch: the index was built with %1, the viewer has %2 loaded. Queries use the index's "
                "model; maps of \"Where is this sound made?\" use %3.")
                 .arg(indexModel, QString::fromStdString(viewerDir),
                      maps == encoderDir ? tr("the index's model") : tr("the viewer's model"));
    }
    if (encoderArch != "avol") text += tr(" Region queries need an index built with AVOL-Net.");
    if (encoderArch == "l3") text += tr(" L3-Net has no shared image-audio space: cross-modal scores are not meaningful.");
    post([this, text, mismatch] { Q_EMIT owner->modelNote(text, mismatch); });
  }

  void fail(uint64_t id, const QString& message) {
    post([this, id, message] { Q_EMIT owner->queryFailed(id, message); });
  }

  RetrievalHit hitOf(const retrieval::SearchHit& h) const {
    const retrieval::IndexClip& clip = index->clipOf(h.entry);
    RetrievalHit r;
    r.entry = h.entry;
    r.score = r.coarseScore = h.score;
    r.clipId = QString::fromStdString(clip.id);
    r.media = QString::fromStdString(clip.media);
    r.time = index->times[static_cast<size_t>(h.entry)];
    for (const auto& l : clip.labels) r.labels << QString::fromStdString(l);
    return r;
  }

  void doQuery(uint64_t id, QueryKind kind, const QueryContext& ctx, int k, QPointF point) {
    try {
      if (!index || !encoder) throw Error("index", tr("open or build an index first").toStdString());
      const auto t0 = std::chrono::steady_clock::now();
      RetrievalResults out;
      out.id = id;
      out.kind = kind;
      const bool usesFrame = queryUsesFrame(kind);
      if (usesFrame && ctx.media.isEmpty()) throw Error("query", tr("open a video first").toStdString());
      if (!usesFrame && !ctx.soundtrack) throw Error("query", tr("no audio to query with: open a video first").toStdString());
      media::RgbFrame frame;
      std::vector<float> window, spec;
      if (usesFrame) {
        frame = frameAt(ctx.media.toStdString(), ctx.frameTime);
        out.queryImage = frameThumbnail(frame, kQueryBox);
        out.title = tr("%1 · frame of %2 at %3")
                        .arg(queryKindName(kind), QFileInfo(ctx.media).fileName(), timeText(ctx.frameTime));
      } else {
        window = ctx.soundtrack->window(ctx.audioTime);
        spec = audio::logSpectrogram(window.data());
        const QString name = QString::fromStdString(ctx.soundtrack->name);
        out.title = tr("%1 · 1 s of %2 audio around %3")
                        .arg(queryKindName(kind), ctx.soundtrack->original ? tr("the original") : name,
                             timeText(ctx.audioTime));
      }
      std::vector<retrieval::SearchHit> hits;
      switch (kind) {
        case QueryKind::FrameToSound:
        case QueryKind::FrameToFrame:
          hits = retrieval::search(*index, encoder->encodeImages({&frame}),
                                   kind == QueryKind::FrameToSound ? retrieval::Modality::Audio : retrieval::Modality::Image, k);
          break;
        case QueryKind::SoundToFrame:
        case QueryKind::SoundToSound:
          hits = retrieval::search(*index, encoder->encodeSpectrograms({spec.data()}),
                                   kind == QueryKind::SoundToFrame ? retrieval::Modality::Image : retrieval::Modality::Audio, k);
          break;
        case QueryKind::Region: {
          if (!regions)
            throw Error("region query", tr("needs an index built with AVOL-Net (this one was built with %1)")
                                            .arg(archName(encoderArch)).toStdString());
          const auto [row, col] = retrieval::regionCell(point.x(), point.y());
          hits = retrieval::search(*index, regions->region(frame, row, col), retrieval::Modality::Audio, k);
          out.queryImage = withCellMarked(out.queryImage, row, col);
          out.title = tr("Region → sounds · cell (%1, %2) of %3 at %4")
                          .arg(row).arg(col).arg(QFileInfo(ctx.media).fileName(), timeText(ctx.frameTime));
          break;
        }
        case QueryKind::WhereIsSound:
          if (!whereIsSound(id, window, spec, k, out)) return;  // superseded by a newer query
          break;
      }
      if (kind != QueryKind::WhereIsSound)
        for (const auto& h : hits) out.hits.push_back(hitOf(h));
      out.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      post([this, out] { Q_EMIT owner->resultsReady(out); });
    } catch (const std::exception& e) {
      fail(id, QString::fromStdString(e.what()));
    }
  }

  // Coarse: the index's frames ranked by their (max-pooled) embedding against
  // the sound; fine: AVOL-Net's 14x14 map of each candidate frame with the
  // sound, ranked by its peak. False when a newer query made it moot.
  bool whereIsSound(uint64_t id, const std::vector<float>& window, const std::vector<float>& spec, int k,
                    RetrievalResults& out) {
    const std::string dir = mapModelChoice();
    if (dir.empty())
      throw Error("where is this sound made", tr("needs an AVOL-Net: the index was built with %1 and the viewer has no "
                                                 "model loaded").arg(archName(encoderArch)).toStdString());
    if (!mapModel || mapModelDir != dir) {
      mapModel = std::make_unique<engine::MapModel>(dir, deviceChoice);
      mapModelDir = dir;
    }
    out.note = dir == encoderDir ? tr("Maps by the index's AVOL-Net")
                                 : tr("Candidates by the index's %1, maps by the viewer's AVOL-Net").arg(archName(encoderArch));
    const int candidates = std::max(k, whereCandidates.load());
    const auto coarse =
        retrieval::search(*index, encoder->encodeSpectrograms({spec.data()}), retrieval::Modality::Image, candidates);
    const auto audio = mapModel->audio(window.data());
    for (const auto& c : coarse) {
      if (latestQuery.load() != id) return false;
      RetrievalHit hit = hitOf(c);
      try {
        const media::RgbFrame f = frameAt(hit.media.toStdString(), hit.time);
        hit.map = mapModel->map(*mapModel->visual(f.rgb.data(), f.width, f.height), *audio);
        const auto peak = std::max_element(hit.map.begin(), hit.map.end());
        const int at = static_cast<int>(peak - hit.map.begin());
        hit.peakRow = at / engine::kMapSize;
        hit.peakCol = at % engine::kMapSize;
        hit.score = *peak;
        hit.hasMap = true;
        hit.thumbnail = withMapOverlay(frameThumbnail(f, kThumbBox), hit.map, hit.peakRow, hit.peakCol);
      } catch (const std::exception& e) {
        spdlog::warn("retrieval: {}", e.what());  // an unreadable clip drops out of the ranking
        continue;
      }
      out.hits.push_back(std::move(hit));
    }
    std::stable_sort(out.hits.begin(), out.hits.end(),
                     [](const RetrievalHit& a, const RetrievalHit& b) { return a.score > b.score; });
    if (static_cast<int>(out.hits.size()) > k) out.hits.resize(static_cast<size_t>(k));
    return true;
  }
};

RetrievalWorker::RetrievalWorker(QObject* parent) : QObject(parent), state_(std::make_unique<State>(this)) {
  state_->thread = std::thread([s = state_.get()] { s->loop(); });
}

RetrievalWorker::~RetrievalWorker() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stop = true;
    state_->jobs.clear();
  }
  state_->latestQuery = 0;  // a running "where is this sound made" stops at its next candidate
  state_->wake.notify_all();
  state_->thread.join();
}

void RetrievalWorker::openIndex(const QString& dir) {
  const std::string d = dir.toStdString();
  state_->enqueue(State::Kind::Index, [s = state_.get(), d] { s->doOpenIndex(d); });
}

void RetrievalWorker::setViewerModel(const QString& dir) {
  const std::string d = dir.toStdString();
  state_->enqueue(State::Kind::Model, [s = state_.get(), d] { s->doSetViewerModel(d); });
}

uint64_t RetrievalWorker::query(QueryKind kind, const QueryContext& context, int k, QPointF region) {
  const uint64_t id = state_->nextId++;
  state_->latestQuery = id;
  state_->enqueue(State::Kind::Query,
                  [s = state_.get(), id, kind, context, k, region] { s->doQuery(id, kind, context, std::max(1, k), region); });
  return id;
}

void RetrievalWorker::setDevice(const QString& device) {
  nn::DeviceChoice choice = nn::DeviceChoice::Auto;
  try {
    choice = nn::parseDeviceChoice(device.toStdString());
  } catch (const std::exception& e) {
    spdlog::warn("retrieval: {}", e.what());
  }
  state_->enqueue(State::Kind::Device, [s = state_.get(), choice] { s->doSetDevice(choice); });
}

void RetrievalWorker::setWhereCandidates(int candidates) { state_->whereCandidates = std::max(1, candidates); }
bool RetrievalWorker::busy() const { return state_->pending.load() > 0; }
bool RetrievalWorker::hasIndex() const { return state_->indexLoaded.load(); }

}  // namespace soundspot::ui
