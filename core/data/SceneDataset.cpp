#include "core/data/SceneDataset.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaWriter.h"
#endif

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace soundspot::data {
namespace {

float round4(float v) { return std::round(v * 10000.f) / 10000.f; }

std::string clipId(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "scene-%06d", index);
  return buf;
}

}  // namespace

std::vector<std::pair<SceneSplit, double>> parseSplitPlan(const std::string& text) {
  std::vector<std::pair<SceneSplit, double>> plan;
  std::stringstream ss(text);
  std::string part;
  double total = 0;
  while (std::getline(ss, part, ',')) {
    const auto eq = part.find('=');
    const SceneSplit split = parseSceneSplit(part.substr(0, eq));
    double fraction = 1;
    if (eq != std::string::npos) {
      try {
        fraction = std::stod(part.substr(eq + 1));
      } catch (const std::exception&) {
        throw UsageError("--split-plan", "'" + part + "' is not split=fraction");
      }
    }
    if (fraction < 0) throw UsageError("--split-plan", "negative fraction in '" + part + "'");
    plan.emplace_back(split, fraction);
    total += fraction;
  }
  if (plan.empty() || total <= 0) throw UsageError("--split-plan", "no split with a positive fraction");
  for (auto& p : plan) p.second /= total;
  return plan;
}

SceneSplit clipSplit(const SceneDatasetOptions& options, int index) {
  double edge = 0;
  for (const auto& [split, fraction] : options.splitPlan) {
    edge += fraction * options.count;
    if (index < std::lround(edge)) return split;
  }
  return options.splitPlan.back().first;
}

ScenePlan clipScene(const AssetPack& pack, const ScenePools& pools, const SceneDatasetOptions& options, int index) {
  std::seed_seq seq{uint32_t(options.seed), uint32_t(options.seed >> 32), uint32_t(index), 0x5ce9e5u};
  std::mt19937_64 rng(seq);
  return planScene(pack, pools, clipSplit(options, index), options.rules, rng);
}

int64_t frameShownAt(double t, double fps) { return static_cast<int64_t>(std::floor(t * fps + 1e-6)); }

nlohmann::json writeSceneDataset(const AssetPack& pack, const SceneDatasetOptions& options,
                                 const std::filesystem::path& dir, Progress& progress, const CancelToken* cancel) {
#ifndef SOUNDSPOT_HAS_FFMPEG
  (void)pack, (void)options, (void)progress, (void)cancel;
  throw Error(dir.string(), "writing mp4 scenes needs a build with FFmpeg");
#else
  std::error_code ec;
  std::filesystem::create_directories(dir / "clips", ec);
  if (ec) throw Error(dir.string(), "cannot create folder: " + ec.message());
  std::map<SceneSplit, ScenePools> pools;
  for (const auto& [split, fraction] : options.splitPlan)
    if (fraction > 0) pools.emplace(split, scenePools(pack, split));

  nlohmann::json clips = nlohmann::json::array();
  const int w = options.width, h = options.height;
  const double duration = options.rules.duration;
  const int64_t frames = static_cast<int64_t>(std::llround(duration * options.fps));
  std::vector<uint8_t> rgb(size_t(w) * h * 3);
  std::vector<SceneBox> boxes;
  for (int i = 0; i < options.count; ++i) {
    if (cancel && cancel->cancelled()) throw Error(dir.string(), "cancelled");
    const SceneSplit split = clipSplit(options, i);
    const ScenePlan plan = clipScene(pack, pools.at(split), options, i);
    const std::string id = clipId(i);
    const std::string media = "clips/" + id + ".mp4";

    // The annotated frame of second k is the one shown at k + 0.5 s.
    std::map<int64_t, int> annotatedFrames;
    for (size_t k = 0; k < plan.seconds.size(); ++k) annotatedFrames[frameShownAt(k + 0.5, options.fps)] = int(k);
    nlohmann::json annotations = nlohmann::json::array();

    media::MediaWriter writer((dir / media).string(), w, h, options.fps, kPackSampleRate, options.crf);
    for (int64_t f = 0; f < frames; ++f) {
      const double t = f / options.fps;
      auto it = annotatedFrames.find(f);
      renderSceneFrame(pack, plan, options.rules, t, w, h, rgb.data(), it != annotatedFrames.end() ? &boxes : nullptr);
      writer.addFrame(rgb.data());
      if (it == annotatedFrames.end()) continue;
      nlohmann::json sounding = nlohmann::json::array(), silent = nlohmann::json::array();
      for (const auto& b : boxes) {
        nlohmann::json entry = {{"label", pack.classes[pack.images[plan.objects[b.object].image].classId]},
                                {"box", {round4(b.box[0]), round4(b.box[1]), round4(b.box[2]), round4(b.box[3])}}};
        (b.sounding ? sounding : silent).push_back(entry);
      }
      annotations.push_back({{"time", it->second + 0.5}, {"sounding", sounding}, {"silent", silent}});
    }
    const auto audio = renderSceneAudio(pack, plan, 0, static_cast<int64_t>(std::llround(duration * kPackSampleRate)));
    writer.addAudio(audio.data(), audio.size());
    writer.finish();

    const bool test = isTestSplit(split);
    nlohmann::json clip = {{"id", id}, {"media", media}, {"split", test ? "test" : sceneSplitName(split)},
                           {"labels", sceneLabels(pack, plan)}, {"annotations", annotations}};
    if (test) clip["subset"] = sceneSplitName(split);
    clip["noisy"] = plan.noisy;
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& o : plan.objects)
      sources.push_back({{"image", pack.images[o.image].id}, {"sound", o.sound >= 0 ? pack.sounds[o.sound].id : ""}});
    clip["objects"] = sources;
    clip["background"] = pack.backgrounds[plan.background].id;
    clips.push_back(clip);
    progress.advance(1, id);
  }
  progress.finish();

  nlohmann::json dataset = {{"format", "soundspot-dataset/1"},
                            {"name", options.name},
                            {"ontology", "audioset"},
                            {"generator",
                             {{"tool", "soundspot-cli scenes"},
                              {"seed", options.seed},
                              {"count", options.count},
                              {"duration", duration},
                              {"fps", options.fps},
                              {"size", {w, h}}}},
                            {"clips", clips}};
  writeFileAtomically(dir / "dataset.json", dataset.dump(1));
  return dataset;
#endif
}

}  // namespace soundspot::data
