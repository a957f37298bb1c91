#include "core/retrieval/IndexBuilder.h"

#include "core/common/Paths.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/retrieval/Encoder.h"
#include "core/common/Hash.h"
#include "core/retrieval/SyncedWrite.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/Query.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <unistd.h>

namespace soundspot::retrieval {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kPartialFormat = "soundspot-index-partial/1";
constexpr const char* kStateFile = "state.json";
constexpr const char* kClipLog = "clips.jsonl";

// The entry times of a clip of the given duration: k + 0.5 for every whole
// second (a container that rounds 3 s down to 2.98 s still gives 3), or the
// middle of a clip shorter than 1 s.
[[maybe_unused]] std::vector<double> entryTimes(double duration) {
  if (!(duration > 0)) return {};
  const auto n = static_cast<int64_t>(std::floor(duration + 0.1));
  if (n < 1) return {duration / 2};
  std::vector<double> t(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) t[static_cast<size_t>(k)] = static_cast<double>(k) + 0.5;
  return t;
}

// What identifies a build: resuming is allowed only when it is unchanged.
[[maybe_unused]] json buildStamp(const IndexSource& source, const json& model) {
  uint64_t h = 0;
  for (const SourceClip& c : source.clips) {
    std::string key = c.id + '\0' + c.media.string() + '\0';
    for (const auto& l : c.labels) key += l + '\0';
    h = hashBytes(key.data(), key.size(), h);
  }
  return {{"source", source.path.string()},        {"kind", source.kind},
          {"split", source.split},                 {"clips", source.clips.size()},
          {"clips_hash", hashHex(h)},              {"model_dir", model.at("dir")},
          {"model_hash", model.at("weights_hash")}};
}

struct PartialState {
  json stamp;
  int64_t dim = 0, done = 0, entries = 0, skipped = 0;
  uint64_t imageBytes = 0, audioBytes = 0, logBytes = 0;

  json toJson() const {
    return {{"format", kPartialFormat}, {"stamp", stamp},         {"dim", dim},
            {"done", done},             {"entries", entries},     {"skipped", skipped},
            {"bytes", {{"image", imageBytes}, {"audio", audioBytes}, {"log", logBytes}}}};
  }
};


// The partial build folder: append-only matrices and clip log, and
// state.json (rewritten atomically after each clip) recording how much of
// them is committed. Anything past the recorded sizes (a crash mid-clip) is
// cut off when resuming.
class PartialBuild {
 public:
  PartialBuild(fs::path dir, json stamp, int64_t dim) : dir_(std::move(dir)) {
    st_.stamp = std::move(stamp);
    st_.dim = dim;
  }
  const PartialState& state() const { return st_; }
  const fs::path& dir() const { return dir_; }

  bool resume() {
    if (!fs::is_directory(dir_)) return false;
    try {
      const json j = json::parse(readFile(dir_ / kStateFile));
      if (j.value("format", "") != kPartialFormat) throw Error(kStateFile, "unknown format");
      if (j.at("stamp") != st_.stamp) {
        spdlog::warn("{}: partial build of another source or model: starting over", dir_.string());
        return false;
      }
      PartialState s;
      s.stamp = st_.stamp;
      s.dim = j.at("dim").get<int64_t>();
      s.done = j.at("done").get<int64_t>();
      s.entries = j.at("entries").get<int64_t>();
      s.skipped = j.at("skipped").get<int64_t>();
      s.imageBytes = j.at("bytes").at("image").get<uint64_t>();
      s.audioBytes = j.at("bytes").at("audio").get<uint64_t>();
      s.logBytes = j.at("bytes").at("log").get<uint64_t>();
      const uint64_t rowBytes = static_cast<uint64_t>(s.entries) * static_cast<uint64_t>(s.dim) * sizeof(float);
      if (s.dim != st_.dim || s.imageBytes != rowBytes || s.audioBytes != rowBytes)
        throw Error(kStateFile, "inconsistent sizes");
      const std::pair<const char*, uint64_t> files[] = {
          {kImageFile, s.imageBytes}, {kAudioFile, s.audioBytes}, {kClipLog, s.logBytes}};
      for (const auto& [name, bytes] : files) {
        if (fs::file_size(dir_ / name) < bytes) throw Error(name, "shorter than recorded");
        fs::resize_file(dir_ / name, bytes);
      }
      st_ = s;
      return true;
    } catch (const std::exception& e) {
      spdlog::warn("{}: unusable partial build ({}): starting over", dir_.string(), e.what());
      return false;
    }
  }

  void start() {
    try {
      fs::remove_all(dir_);
      fs::create_directories(dir_);
    } catch (const fs::filesystem_error& e) {
      throw Error(dir_.string(), std::string("cannot create the partial build folder: ") + e.what());
    }
    for (const char* name : {kImageFile, kAudioFile, kClipLog}) writeBytesSynced(dir_ / name, nullptr, 0, true);
    const json stamp = st_.stamp;
    const int64_t dim = st_.dim;
    st_ = PartialState{};
    st_.stamp = stamp;
    st_.dim = dim;
    writeState();
  }

  // One finished clip (count entries; skipped clips have none).
  void commit(const json& logLine, const std::vector<float>& image, const std::vector<float>& audio, int64_t count,
              bool skipped) {
    const size_t bytes = image.size() * sizeof(float);
    writeBytesSynced(dir_ / kImageFile, image.data(), bytes, true);
    writeBytesSynced(dir_ / kAudioFile, audio.data(), bytes, true);
    const std::string line = logLine.dump() + "\n";
    writeBytesSynced(dir_ / kClipLog, line.data(), line.size(), true);
    st_.imageBytes += bytes;
    st_.audioBytes += bytes;
    st_.logBytes += line.size();
    st_.entries += count;
    st_.done += 1;
    st_.skipped += skipped ? 1 : 0;
    writeState();
  }

  // The finished index held by the folder.
  Index load() const {
    Index index;
    index.dim = st_.dim;
    std::ifstream log(dir_ / kClipLog);
    std::string line;
    int64_t lines = 0;
    while (lines < st_.done && std::getline(log, line)) {
      ++lines;
      const json c = json::parse(line);
      if (c.contains("skipped")) continue;
      IndexClip clip;
      clip.id = c.at("id").get<std::string>();
      clip.media = c.at("media").get<std::string>();
      clip.labels = c.at("labels").get<std::vector<std::string>>();
      clip.first = index.size();
      const auto times = c.at("times").get<std::vector<double>>();
      clip.count = static_cast<int64_t>(times.size());
      index.times.insert(index.times.end(), times.begin(), times.end());
      index.entryClip.insert(index.entryClip.end(), times.size(), static_cast<int32_t>(index.clips.size()));
      index.clips.push_back(std::move(clip));
    }
    if (lines != st_.done || index.size() != st_.entries)
      throw Error((dir_ / kClipLog).string(), "does not match state.json (damaged partial build: delete the folder)");
    index.image.resize(static_cast<size_t>(st_.entries * st_.dim));
    index.audio.resize(index.image.size());
    for (auto [name, data] : {std::pair{kImageFile, &index.image}, std::pair{kAudioFile, &index.audio}}) {
      std::ifstream in(dir_ / name, std::ios::binary);
      in.read(reinterpret_cast<char*>(data->data()), static_cast<std::streamsize>(data->size() * sizeof(float)));
      if (!in) throw Error((dir_ / name).string(), "shorter than state.json records");
    }
    return index;
  }

 private:
  void writeState() { writeFileAtomically(dir_ / kStateFile, st_.toJson().dump(2) + "\n"); }

  fs::path dir_;
  PartialState st_;
};

#ifdef SOUNDSPOT_HAS_FFMPEG

struct Skip {
  std::string reason;
};

struct ClipEmbeddings {
  std::vector<double> times;
  std::vector<float> image, audio;
};

// Decodes and embeds one clip, batch by batch. Throws Skip for media that
// cannot be decoded, Error on cancellation; inference errors propagate.
ClipEmbeddings embedClip(const SourceClip& clip, Encoder& encoder, int batchSize, const CancelToken* cancel,
                         const fs::path& outDir) {
  std::unique_ptr<media::MediaReader> reader;
  ClipEmbeddings out;
  try {
    reader = std::make_unique<media::MediaReader>(clip.media.string());
    if (!reader->info().hasVideo) throw Error(clip.media.string(), "has no video stream");
    if (!reader->info().hasAudio) throw Error(clip.media.string(), "has no audio stream");
    out.times = entryTimes(reader->info().duration);
    if (out.times.empty()) throw Error(clip.media.string(), "has no duration");
  } catch (const std::exception& e) {
    throw Skip{e.what()};
  }
  const size_t n = out.times.size();
  for (size_t b = 0; b < n; b += static_cast<size_t>(batchSize)) {
    if (cancel && cancel->cancelled()) throw Error(outDir.string(), "cancelled");
    const size_t e = std::min(n, b + static_cast<size_t>(batchSize));
    std::vector<media::RgbFrame> frames;
    std::vector<std::vector<float>> specs;
    try {
      for (size_t i = b; i < e; ++i) {
        frames.push_back(reader->frameAt(out.times[i]));
        if (frames.back().rgb.empty()) throw Error(clip.media.string(), "no frame at " + std::to_string(out.times[i]) + " s");
        specs.push_back(spectrogramAt(*reader, out.times[i]));
      }
    } catch (const std::exception& ex) {
      throw Skip{ex.what()};
    }
    std::vector<const media::RgbFrame*> framePtrs;
    std::vector<const float*> specPtrs;
    for (size_t i = 0; i < frames.size(); ++i) {
      framePtrs.push_back(&frames[i]);
      specPtrs.push_back(specs[i].data());
    }
    const std::vector<float> im = encoder.encodeImages(framePtrs), au = encoder.encodeSpectrograms(specPtrs);
    out.image.insert(out.image.end(), im.begin(), im.end());
    out.audio.insert(out.audio.end(), au.begin(), au.end());
  }
  return out;
}

#endif

}  // namespace

BuildResult buildIndex(const IndexSource& source, const fs::path& modelDir, const fs::path& outDirIn,
                       Progress& progress, const CancelToken* cancel, const BuildOptions& options) {
#ifdef SOUNDSPOT_HAS_FFMPEG
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path outDir = absoluteNormal(outDirIn);
  if (fs::exists(outDir) && !isIndexFolder(outDir) && !(fs::is_directory(outDir) && fs::is_empty(outDir)))
    throw UsageError(outDir.string(), "exists and is not a SoundSpot index: choose another output folder");
  if (options.batchSize < 1) throw UsageError("batch", "must be at least 1");

  Encoder encoder(modelDir, options.device);
  const int64_t dim = encoder.dim();
  if (encoder.arch() == "l3")
    spdlog::warn("{}: L3-Net's image and audio features share no space; cross-modal search needs CCA, which the "
                 "index does not apply (image-image and audio-audio search are meaningful)",
                 modelDir.string());
  PartialBuild partial(partialBuildDir(outDir), buildStamp(source, encoder.summary()), dim);
  BuildResult result;
  if (partial.resume()) {
    result.resumedClips = partial.state().done;
    spdlog::info("{}: resuming a partial build ({} of {} clips done)", partial.dir().string(), partial.state().done,
                 source.clips.size());
  } else {
    partial.start();
  }
  progress.set(partial.state().done, result.resumedClips ? "resumed" : "");

  const auto total = static_cast<int64_t>(source.clips.size());
  for (int64_t i = partial.state().done; i < total; ++i) {
    const SourceClip& clip = source.clips[static_cast<size_t>(i)];
    if (cancel && cancel->cancelled()) break;
    json line = {{"id", clip.id}, {"media", clip.media.string()}};
    try {
      ClipEmbeddings e = embedClip(clip, encoder, options.batchSize, cancel, outDir);
      line["labels"] = clip.labels;
      line["times"] = e.times;
      partial.commit(line, e.image, e.audio, static_cast<int64_t>(e.times.size()), false);
      result.newEntries += static_cast<int64_t>(e.times.size());
    } catch (const Skip& s) {
      spdlog::warn("skipping '{}': {}", clip.id, s.reason);
      line["skipped"] = s.reason;
      partial.commit(line, {}, {}, 0, true);
    } catch (const Error&) {
      if (cancel && cancel->cancelled()) break;
      throw;
    }
    progress.set(i + 1, clip.id);
  }
  if (cancel && cancel->cancelled())
    throw Error(outDir.string(), "cancelled after " + std::to_string(partial.state().done) + " of " +
                                     std::to_string(total) + " clips; run the same command again to resume");

  Index index = partial.load();
  index.model = encoder.summary();
  const int64_t skipped = partial.state().skipped;
  index.sources = json::array({{{"path", source.path.string()},
                                {"kind", source.kind},
                                {"name", source.name},
                                {"split", source.split},
                                {"clips", total},
                                {"indexed", static_cast<int64_t>(index.clips.size())},
                                {"skipped", skipped}}});
  saveIndex(index, outDir);
  std::error_code ec;
  fs::remove_all(partial.dir(), ec);
  if (ec) spdlog::warn("{}: could not remove the partial build: {}", partial.dir().string(), ec.message());
  progress.finish();
  if (skipped > 0) spdlog::warn("{} of {} media skipped (undecodable, or without a video or an audio stream)", skipped, total);

  result.entries = index.size();
  result.clips = static_cast<int64_t>(index.clips.size());
  result.skipped = skipped;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
#else
  (void)modelDir, (void)outDirIn, (void)progress, (void)cancel, (void)options;
  throw Error(source.path.string(), "cannot be indexed: this build has no FFmpeg");
#endif
}

BuildResult buildIndex(const fs::path& source, const fs::path& modelDir, const fs::path& outDir, Progress& progress,
                       const CancelToken* cancel, const BuildOptions& options) {
  const IndexSource src = scanSource(source, {}, {outDir, partialBuildDir(outDir)});
  return buildIndex(src, modelDir, outDir, progress, cancel, options);
}

}  // namespace soundspot::retrieval
