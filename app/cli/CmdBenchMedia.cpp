// `soundspot-cli bench media [MEDIA]`: decoding speed (sequential frames/s),
// random-seek latency, and log-spectrograms/s. Without MEDIA a 10 s 640x360
// clip is generated in a temporary folder first.
#include "app/cli/Command.h"
#include "app/cli/Stopwatch.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/common/Progress.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#include "core/media/MediaWriter.h"
#endif

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>
#include <random>
#include <unistd.h>

namespace soundspot::cli {
namespace {


#ifdef SOUNDSPOT_HAS_FFMPEG
// A clip with moving texture (so the encoder has real work) and a chirp.
void writeBenchClip(const std::string& path, double seconds, int w, int h, double fps) {
  media::MediaWriter writer(path, w, h, fps, 48000);
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  const int frames = static_cast<int>(std::lround(seconds * fps));
  Progress progress("generating clip", frames, Progress::terminalBar("generating clip"));
  for (int k = 0; k < frames; ++k) {
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        uint8_t* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
        p[0] = static_cast<uint8_t>((x + 3 * k) ^ y);
        p[1] = static_cast<uint8_t>(128 + 100 * std::sin(0.05 * (x - 5 * k)) * std::cos(0.07 * y));
        p[2] = static_cast<uint8_t>((y + k) * 2);
      }
    writer.addFrame(rgb.data());
    progress.advance();
  }
  std::vector<float> audio(static_cast<size_t>(seconds * 48000));
  for (size_t i = 0; i < audio.size(); ++i) {
    const double t = double(i) / 48000;
    audio[i] = static_cast<float>(0.4 * std::sin(2 * M_PI * (200 + 300 * t) * t));
  }
  writer.addAudio(audio.data(), audio.size());
  writer.finish();
  progress.finish();
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - 1)];
}

void benchMedia(const std::string& given, int seeks, const CancelToken& cancel) {
  std::filesystem::path tempDir;
  std::string path = given;
  if (path.empty()) {
    tempDir = std::filesystem::temp_directory_path() / ("soundspot-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(tempDir);
    path = (tempDir / "bench-640x360.mp4").string();
    writeBenchClip(path, 10.0, 640, 360, 30);
  }
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() { if (!dir.empty()) { std::error_code ec; std::filesystem::remove_all(dir, ec); } }
  } cleanup{tempDir};

  media::MediaReader reader(path);
  const auto& info = reader.info();
  nlohmann::json result = {{"media", path}, {"width", info.width}, {"height", info.height}, {"duration", info.duration}};

  if (info.hasVideo) {
    const std::vector<double> ts = reader.frameTimestamps();
    Progress progress("sequential decode", static_cast<int64_t>(ts.size()), Progress::terminalBar("sequential decode"));
    const auto t0 = Clock::now();
    size_t decoded = 0;
    for (double t : ts) {
      if (cancel.cancelled()) throw Error(path, "benchmark cancelled");
      reader.frameAt(t);
      ++decoded;
      progress.advance();
    }
    progress.finish();
    result["decodeFramesPerSecond"] = decoded / secondsSince(t0);

    // Fresh reader so the sequential pass's cache does not help.
    media::MediaReader seeker(path);
    std::mt19937 rng(2018);
    std::uniform_real_distribution<double> when(0, info.duration);
    std::vector<double> ms;
    for (int i = 0; i < seeks && !cancel.cancelled(); ++i) {
      const auto s0 = Clock::now();
      seeker.frameAt(when(rng));
      ms.push_back(1000 * secondsSince(s0));
    }
    if (!ms.empty()) {
      result["randomSeeks"] = ms.size();
      result["seekMeanMs"] = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
      result["seekP95Ms"] = percentile(ms, 0.95);
    }
  }

  if (info.hasAudio) {
    const auto a0 = Clock::now();
    const std::vector<float> all = reader.audio(0, info.duration);
    result["audioDecodeSeconds"] = secondsSince(a0);
    // One spectrogram per 1 s window centred on each frame time of a 10 fps grid.
    std::vector<float> spec(static_cast<size_t>(audio::kBins) * audio::kFrames);
    const int windows = std::max(1, static_cast<int>(info.duration * 10));
    std::vector<float> window(audio::kWindowSamples);
    const auto s0 = Clock::now();
    for (int i = 0; i < windows && !cancel.cancelled(); ++i) {
      const double centre = i / 10.0;
      const auto first = static_cast<int64_t>(std::llround((centre - 0.5) * audio::kSampleRate));
      for (int k = 0; k < audio::kWindowSamples; ++k) {
        const int64_t j = first + k;
        window[static_cast<size_t>(k)] = j >= 0 && j < static_cast<int64_t>(all.size()) ? all[static_cast<size_t>(j)] : 0.f;
      }
      audio::logSpectrogram(window.data(), spec.data());
    }
    result["spectrogramsPerSecond"] = windows / secondsSince(s0);
  }
  std::printf("%s\n", result.dump(2).c_str());
}
#endif

struct BenchMediaArgs {
  std::string media;
  int seeks = 50;
};

CommandRegistration reg("bench", [](CLI::App& app) {
  auto a = std::make_shared<BenchMediaArgs>();
  auto* bench = parentCommand(app, "bench", "Measure the speed of parts of SoundSpot");
  auto* cmd = bench->add_subcommand("media", "Decode frames/s, random-seek latency, spectrograms/s");
  cmd->add_option("media", a->media, "Media file (default: a generated 10 s 640x360 clip)");
  cmd->add_option("--seeks", a->seeks, "Number of random seeks")->check(CLI::Range(1, 100000));
  cmd->callback([a] {
#ifdef SOUNDSPOT_HAS_FFMPEG
    static CancelToken cancel;
    cancelOnSignal(cancel);
    benchMedia(a->media, a->seeks, cancel);
#else
    throw Error(a->media, "cannot be benchmarked: this build has no FFmpeg");
#endif
  });
});

}  // namespace
}  // namespace soundspot::cli
