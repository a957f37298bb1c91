// Report keys:
//   arch, split, clips (queries), skipped_clips, instants (localization instants)
//   avc_accuracy, avc_pairs
//   ndcg30 {"im-im","im-aud","aud-im","aud-aud"}; ndcg30_random (random 128-D
//   embeddings, mean over seeds; the same chance level for every direction)
//   L3-Net: ndcg30 holds the CCA directions; ndcg30_l3_raw {"im-im","aud-aud"}
//           (raw pooled features) and ndcg30_l3_cca (= ndcg30)
//   AVOL-Net: localization {pointing_accuracy, center_baseline, object_baseline,
//             peak_on_silent_object, peak_on_background (where the misses fell),
//             ciou50, auc, mismatch_auroc, mismatch_auroc_untrained,
//             per_class {label: {instants, pointing_accuracy}},
//             pointing_interval95_by_class [lo, hi] (whole classes resampled)}
#include "core/eval/Evaluation.h"

#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/common/Npy.h"
#include "core/common/AtomicFile.h"
#include "core/data/AvcSampler.h"
#include "core/data/ClipCache.h"
#include "core/eval/Cca.h"
#include "core/eval/EvalNetwork.h"
#include "core/eval/Localization.h"
#include "core/eval/Ndcg.h"
#include "core/eval/Auroc.h"
#include "core/eval/Ontology.h"
#include "core/nn/Preprocess.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaReader.h"
#endif

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <thread>

namespace soundspot::eval {

namespace {

using data::CachedClip;
using data::Clip;
constexpr int kSize = data::kCachedFrameSize;

// One clip of the split, decoded for evaluation.
struct EvalClip {
  const Clip* clip = nullptr;
  CachedClip cached;                     // grid frames (AVC pairs, CCA fit) + whole audio
  double queryTime = 0;                  // first annotation, else the middle
  int width = 0, height = 0;             // displayed frame size
  std::vector<uint8_t> queryFrame;       // 224x224 RGB
  std::vector<std::vector<uint8_t>> annotationFrames;  // one per annotation
};

double queryTimeOf(const Clip& clip, double duration) {
  return clip.annotations.empty() ? duration / 2 : clip.annotations.front().time;
}

EvalClip decodeClip(const Clip& clip, int gridFrames, bool withInstants) {
  EvalClip e;
  e.clip = &clip;
  e.cached = data::ClipCache::decode(clip, gridFrames);
  e.queryTime = queryTimeOf(clip, e.cached.duration);
  if (!withInstants) return e;
#ifdef SOUNDSPOT_HAS_FFMPEG
  media::MediaReader reader(clip.media.string());
  e.width = reader.info().width;
  e.height = reader.info().height;
  auto frameAt = [&](double t) {
    media::RgbFrame f = reader.frameAt(t);
    if (f.rgb.empty()) throw Error(clip.media.string(), "no frame at " + std::to_string(t) + " s");
    return data::resizeRgb(f.rgb.data(), f.width, f.height, kSize, kSize);
  };
  // Decode in time order (forward decoding is cheapest), then place.
  std::vector<std::pair<double, int>> times{{e.queryTime, -1}};
  for (size_t a = 0; a < clip.annotations.size(); ++a) times.push_back({clip.annotations[a].time, static_cast<int>(a)});
  std::sort(times.begin(), times.end());
  e.annotationFrames.resize(clip.annotations.size());
  for (auto& [t, a] : times) (a < 0 ? e.queryFrame : e.annotationFrames[static_cast<size_t>(a)]) = frameAt(t);
#endif
  return e;
}

// Decodes clips on several threads; failures are logged, counted and dropped.
std::vector<EvalClip> decodeAll(const std::vector<Clip>& clips, int gridFrames, bool withInstants, int threads,
                                const std::string& what, const CancelToken* cancel, size_t& skipped) {
  std::vector<std::optional<EvalClip>> slots(clips.size());
  std::atomic<size_t> next{0};
  std::mutex mutex;
  Progress progress("decoding " + what, static_cast<int64_t>(clips.size()), Progress::terminalBar("decoding " + what));
  auto worker = [&] {
    for (;;) {
      if (cancel && cancel->cancelled()) return;
      const size_t i = next.fetch_add(1);
      if (i >= clips.size()) return;
      try {
        slots[i] = decodeClip(clips[i], gridFrames, withInstants);
      } catch (const std::exception& ex) {
        spdlog::warn("skipping clip '{}': {}", clips[i].id, ex.what());
      }
      std::lock_guard<std::mutex> lock(mutex);
      progress.advance(1, clips[i].id);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  progress.finish();
  if (cancel && cancel->cancelled()) throw Error("evaluation", "cancelled");
  std::vector<EvalClip> out;
  for (auto& s : slots)
    if (s) out.push_back(std::move(*s));
  skipped = clips.size() - out.size();
  if (skipped > 0) spdlog::warn("{} of {} {} clips skipped: media could not be decoded", skipped, clips.size(), what);
  return out;
}

torch::Tensor imageBatch(const std::vector<const uint8_t*>& frames) {
  std::vector<torch::Tensor> parts;
  for (const uint8_t* f : frames) parts.push_back(nn::imageTensor(f, kSize, kSize));
  return torch::cat(parts, 0);
}

// 1 s windows (centre in seconds of `clip`) -> B x 1 x 257 x 200.
torch::Tensor spectrogramBatch(const std::vector<std::pair<const CachedClip*, double>>& windows) {
  std::vector<torch::Tensor> parts;
  std::vector<float> wave(audio::kWindowSamples), spec(static_cast<size_t>(audio::kBins) * audio::kFrames);
  for (auto& [clip, centre] : windows) {
    clip->window(centre, wave.data());
    audio::logSpectrogram(wave.data(), spec.data());
    parts.push_back(nn::audioTensor(spec.data()));
  }
  return torch::cat(parts, 0);
}

// Runs fn on [begin, end) slices of size batch; fn returns B x D (or B).
template <typename Fn>
torch::Tensor batched(int64_t n, int64_t batch, const CancelToken* cancel, Progress& progress, Fn fn) {
  std::vector<torch::Tensor> out;
  for (int64_t b = 0; b < n; b += batch) {
    if (cancel && cancel->cancelled()) throw Error("evaluation", "cancelled");
    out.push_back(fn(b, std::min(n, b + batch)).to(torch::kCPU, torch::kFloat).contiguous());
    progress.advance(std::min(n, b + batch) - b);
  }
  return torch::cat(out, 0);
}

std::vector<float> toVector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor l2normalise(const torch::Tensor& x) {
  return x / x.norm(2, {1}, true).clamp_min(1e-12);
}

// Mean nDCG@k of queries (rows of q) against candidates (rows of c), both
// L2-normalised and compared by dot product; NaN (JSON null) when no query
// has a labelled relevant candidate.
nlohmann::json directionNdcg(const torch::Tensor& q, const torch::Tensor& c, const std::vector<float>& rel, int k) {
  const int64_t n = q.size(0);
  const double v = meanNdcgAtK(toVector(torch::matmul(l2normalise(q), l2normalise(c).t())), rel, n, k);
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json ndcgDirections(const torch::Tensor& image, const torch::Tensor& audio, const std::vector<float>& rel,
                              int k, bool crossModal = true) {
  nlohmann::json j;
  j["im-im"] = directionNdcg(image, image, rel, k);
  if (crossModal) {
    j["im-aud"] = directionNdcg(image, audio, rel, k);
    j["aud-im"] = directionNdcg(audio, image, rel, k);
  }
  j["aud-aud"] = directionNdcg(audio, audio, rel, k);
  return j;
}

bool shareLabel(const Clip& a, const Clip& b) {
  for (const auto& l : a.labels)
    if (std::find(b.labels.begin(), b.labels.end(), l) != b.labels.end()) return true;
  return false;
}

std::vector<Box> toBoxes(const std::vector<data::ObjectBox>& objects) {
  std::vector<Box> out;
  for (const auto& o : objects) out.push_back(Box{static_cast<float>(o.box[0]), static_cast<float>(o.box[1]), static_cast<float>(o.box[2]),
                       static_cast<float>(o.box[3])});
  return out;
}

struct Instant {
  size_t clip;        // index into the decoded clips
  size_t annotation;  // index into the clip's annotations
};

// Max of the localization map (logit) for each (instant, audio source) pair.
std::vector<float> mapMaxima(EvalNetwork& net, const std::vector<EvalClip>& clips, const std::vector<Instant>& instants,
                              const std::vector<size_t>& audioClip, int64_t batch, const CancelToken* cancel,
                              Progress& progress) {
  const int64_t n = static_cast<int64_t>(instants.size());
  const torch::Tensor maxima = batched(n, batch, cancel, progress, [&](int64_t b, int64_t e) {
    std::vector<const uint8_t*> frames;
    std::vector<std::pair<const CachedClip*, double>> windows;
    for (int64_t i = b; i < e; ++i) {
      const Instant& in = instants[static_cast<size_t>(i)];
      frames.push_back(clips[in.clip].annotationFrames[in.annotation].data());
      const size_t a = audioClip[static_cast<size_t>(i)];
      // True audio: the annotated second; mismatched: that clip's query second.
      const double centre = a == in.clip ? clips[in.clip].clip->annotations[in.annotation].time : clips[a].queryTime;
      windows.push_back({&clips[a].cached, centre});
    }
    return net.mapLogits(imageBatch(frames), spectrogramBatch(windows)).flatten(1).amax(1);
  });
  return toVector(maxima);
}

}  // namespace

nlohmann::json evaluate(EvalNetwork& net, EvalNetwork* untrained, const data::Dataset& dataset,
                        const Ontology& ontology, const EvalOptions& opts, const CancelToken* cancel) {
  torch::NoGradGuard noGrad;
  const std::vector<Clip> splitClips = dataset.split(opts.split);
  if (splitClips.size() < 2)
    throw Error((dataset.dir / "dataset.json").string(),
                "split '" + opts.split + "' has " + std::to_string(splitClips.size()) + " clip(s); evaluation needs at least two");
  const int gridFrames = std::max(2, opts.avcPairsPerClip);
  size_t skipped = 0;
  std::vector<EvalClip> clips = decodeAll(splitClips, gridFrames, true, opts.threads, opts.split, cancel, skipped);
  const int64_t n = static_cast<int64_t>(clips.size());
  if (n < 2) throw Error((dataset.dir / "dataset.json").string(), "fewer than two decodable clips in split '" + opts.split + "'");

  std::vector<Instant> instants;
  for (size_t c = 0; c < clips.size(); ++c)
    for (size_t a = 0; a < clips[c].clip->annotations.size(); ++a)
      if (!clips[c].clip->annotations[a].sounding.empty()) instants.push_back({c, a});

  const int64_t B = std::max(1, opts.batchSize);
  const int64_t avcPairs = n * gridFrames;
  int64_t work = 2 * n + avcPairs;
  // Localization: one map per instant, then the true and the mismatched audio's map maxima per
  // network (at most one pair per instant).
  if (net.localizes()) work += static_cast<int64_t>(instants.size()) * (1 + 2 + (untrained ? 2 : 0));
  Progress progress("evaluating", work, Progress::terminalBar("evaluating"));

  nlohmann::json report;
  report["arch"] = net.arch();
  report["split"] = opts.split;
  report["clips"] = n;
  report["skipped_clips"] = skipped;
  report["instants"] = instants.size();

  // --- AVC accuracy: the paper's pair sampling on the decoded clips, fixed seed.
  {
    std::vector<data::ClipTiming> timings;
    for (auto& c : clips) timings.push_back({c.cached.duration, c.cached.frameTimes});
    data::AvcSampler sampler(timings, data::SamplerOptions{});
    std::vector<data::PairDraw> pairs;
    for (int64_t i = 0; i < avcPairs; ++i) pairs.push_back(sampler.draw(opts.seed, 0, i, false));
    const torch::Tensor scores = batched(avcPairs, B, cancel, progress, [&](int64_t b, int64_t e) {
      std::vector<const uint8_t*> frames;
      std::vector<std::pair<const CachedClip*, double>> windows;
      for (int64_t i = b; i < e; ++i) {
        const auto& p = pairs[static_cast<size_t>(i)];
        frames.push_back(clips[p.frameClip].cached.frames[p.frameIndex].data());
        windows.push_back({&clips[p.audioClip].cached, p.audioCentre});
      }
      return net.correspondence(imageBatch(frames), spectrogramBatch(windows));
    });
    const auto s = toVector(scores);
    int64_t correct = 0;
    for (int64_t i = 0; i < avcPairs; ++i) correct += (s[static_cast<size_t>(i)] > 0) == pairs[static_cast<size_t>(i)].corresponds;
    report["avc_accuracy"] = static_cast<double>(correct) / static_cast<double>(avcPairs);
    report["avc_pairs"] = avcPairs;
  }

  // --- Retrieval: one query instant per clip.
  const torch::Tensor imageEmb = batched(n, B, cancel, progress, [&](int64_t b, int64_t e) {
    std::vector<const uint8_t*> frames;
    for (int64_t i = b; i < e; ++i) frames.push_back(clips[static_cast<size_t>(i)].queryFrame.data());
    return net.imageEmbedding(imageBatch(frames));
  });
  const torch::Tensor audioEmb = batched(n, B, cancel, progress, [&](int64_t b, int64_t e) {
    std::vector<std::pair<const CachedClip*, double>> windows;
    for (int64_t i = b; i < e; ++i) windows.push_back({&clips[static_cast<size_t>(i)].cached, clips[static_cast<size_t>(i)].queryTime});
    return net.audioEmbedding(spectrogramBatch(windows));
  });
  std::vector<std::vector<std::string>> labelSets;
  for (const auto& c : clips) labelSets.push_back(c.clip->labels);
  const std::vector<float> rel = relevanceMatrix(labelSets, ontology);

  const std::string ndcgKey = "ndcg" + std::to_string(opts.ndcgK);
  torch::Tensor dumpImage = imageEmb, dumpAudio = audioEmb;
  if (net.needsCca()) {
    report[ndcgKey + "_l3_raw"] = ndcgDirections(imageEmb, audioEmb, rel, opts.ndcgK, false);
    // CCA fitted on positive pairs of the training split.
    const std::vector<Clip> trainClips = (opts.ccaDataset ? *opts.ccaDataset : dataset).split(opts.trainSplit);
    size_t trainSkipped = 0;
    std::vector<EvalClip> train =
        decodeAll(trainClips, opts.ccaInstantsPerClip, false, opts.threads, opts.trainSplit, cancel, trainSkipped);
    std::vector<std::pair<size_t, size_t>> samples;
    for (size_t c = 0; c < train.size(); ++c)
      for (size_t f = 0; f < train[c].cached.frames.size(); ++f) samples.push_back({c, f});
    const int64_t m = static_cast<int64_t>(samples.size());
    if (m < 2) throw Error((dataset.dir / "dataset.json").string(), "split '" + opts.trainSplit + "' has too few decodable clips to fit CCA");
    Progress ccaProgress("CCA features", 2 * m, Progress::terminalBar("CCA features"));
    const torch::Tensor trainImage = batched(m, B, cancel, ccaProgress, [&](int64_t b, int64_t e) {
      std::vector<const uint8_t*> frames;
      for (int64_t i = b; i < e; ++i) frames.push_back(train[samples[i].first].cached.frames[samples[i].second].data());
      return net.imageEmbedding(imageBatch(frames));
    });
    const torch::Tensor trainAudio = batched(m, B, cancel, ccaProgress, [&](int64_t b, int64_t e) {
      std::vector<std::pair<const CachedClip*, double>> windows;
      for (int64_t i = b; i < e; ++i) {
        const auto& cc = train[samples[i].first].cached;
        windows.push_back({&cc, cc.frameTimes[samples[i].second]});
      }
      return net.audioEmbedding(spectrogramBatch(windows));
    });
    ccaProgress.finish();
    const int components = static_cast<int>(std::min<int64_t>({opts.ccaComponents, m - 1, imageEmb.size(1)}));
    const Cca cca = Cca::fit(trainImage, trainAudio, components);
    dumpImage = cca.projectX(imageEmb);
    dumpAudio = cca.projectY(audioEmb);
    report[ndcgKey + "_l3_cca"] = ndcgDirections(dumpImage, dumpAudio, rel, opts.ndcgK);
    report[ndcgKey] = report[ndcgKey + "_l3_cca"];
  } else {
    report[ndcgKey] = ndcgDirections(imageEmb, audioEmb, rel, opts.ndcgK);
  }
  const double chance = ndcgRandom(rel, n, opts.ndcgK, opts.randomSeeds, opts.seed, 128);
  report[ndcgKey + "_random"] = std::isfinite(chance) ? nlohmann::json(chance) : nlohmann::json(nullptr);

  // --- Localization (AVOL-Net).
  if (net.localizes()) {
    nlohmann::json loc;
    int64_t pointHits = 0, centreHits = 0, peakOnSilent = 0, peakOnBackground = 0;
    std::map<std::string, ClassHits> perClass;  // by sounding label
    double objectChance = 0;
    std::vector<double> ious;
    const int64_t ni = static_cast<int64_t>(instants.size());
    const torch::Tensor maps = batched(ni, B, cancel, progress, [&](int64_t b, int64_t e) {
      std::vector<const uint8_t*> frames;
      std::vector<std::pair<const CachedClip*, double>> windows;
      for (int64_t i = b; i < e; ++i) {
        const Instant& in = instants[static_cast<size_t>(i)];
        frames.push_back(clips[in.clip].annotationFrames[in.annotation].data());
        windows.push_back({&clips[in.clip].cached, clips[in.clip].clip->annotations[in.annotation].time});
      }
      return torch::sigmoid(net.mapLogits(imageBatch(frames), spectrogramBatch(windows)));
    });
    for (int64_t i = 0; i < ni; ++i) {
      const auto& ann = clips[instants[static_cast<size_t>(i)].clip].clip->annotations[instants[static_cast<size_t>(i)].annotation];
      const std::vector<float> map = toVector(maps[i]);
      const auto sounding = toBoxes(ann.sounding);
      const EvalClip& ec = clips[instants[static_cast<size_t>(i)].clip];
      const PeakPlace place = peakPlace(mapPeak(map.data(), 14, 14, ec.width, ec.height), sounding, toBoxes(ann.silent));
      pointHits += place == PeakPlace::Sounding ? 1 : 0;
      std::set<std::string> soundingLabels;
      for (const auto& box : ann.sounding) soundingLabels.insert(box.label.empty() ? "(no label)" : box.label);
      for (const auto& label : soundingLabels) {
        perClass[label].instants += 1;
        perClass[label].hits += place == PeakPlace::Sounding ? 1 : 0;
      }
      peakOnSilent += place == PeakPlace::SilentObject ? 1 : 0;
      peakOnBackground += place == PeakPlace::Background ? 1 : 0;
      centreHits += centreHit(sounding) ? 1 : 0;
      objectChance += objectBaseline(static_cast<int>(ann.sounding.size()),
                                     static_cast<int>(ann.sounding.size() + ann.silent.size()));
      ious.push_back(ciou(map.data(), 14, 14, sounding));
    }
    const double denom = std::max<int64_t>(1, ni);
    loc["pointing_accuracy"] = pointHits / denom;
    loc["center_baseline"] = centreHits / denom;
    loc["object_baseline"] = objectChance / denom;
    // The misses: the peak on a silent visible object, or on no object.
    loc["peak_on_silent_object"] = peakOnSilent / denom;
    loc["peak_on_background"] = peakOnBackground / denom;
    // Which kinds of object the model finds: pointing per sounding label (an
    // instant with two sounding objects counts for both).
    nlohmann::json classes = nlohmann::json::object();
    std::vector<ClassHits> classHits;
    for (const auto& [label, counts] : perClass) {
      classes[label] = {{"instants", counts.instants},
                        {"pointing_accuracy", static_cast<double>(counts.hits) / static_cast<double>(counts.instants)}};
      classHits.push_back(counts);
    }
    loc["per_class"] = classes;
    const auto [lo, hi] = classResampledInterval(classHits, data::AvcSampler::streamSeed(opts.seed, 0x95, 0));
    loc["pointing_interval95_by_class"] =
        std::isfinite(lo) ? nlohmann::json::array({lo, hi}) : nlohmann::json(nullptr);
    loc["ciou50"] = ious.empty() ? 0.0 : ciouAt50(ious);
    loc["auc"] = ious.empty() ? 0.0 : aucOfSuccess(ious);

    // Mismatched audio: from a clip sharing no label with the frame's clip.
    std::mt19937_64 rng(data::AvcSampler::streamSeed(opts.seed, 0x313, 0));
    std::vector<Instant> kept;
    std::vector<size_t> trueAudio, wrongAudio;
    for (const Instant& in : instants) {
      std::vector<size_t> candidates;
      for (size_t c = 0; c < clips.size(); ++c)
        if (c != in.clip && !shareLabel(*clips[in.clip].clip, *clips[c].clip)) candidates.push_back(c);
      if (candidates.empty()) continue;
      kept.push_back(in);
      trueAudio.push_back(in.clip);
      wrongAudio.push_back(candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)]);
    }
    auto mismatchAuroc = [&](EvalNetwork& network) -> nlohmann::json {
      if (kept.empty()) return nullptr;
      const auto pos = mapMaxima(network, clips, kept, trueAudio, B, cancel, progress);
      const auto neg = mapMaxima(network, clips, kept, wrongAudio, B, cancel, progress);
      return auroc(pos, neg);
    };
    loc["mismatch_auroc"] = mismatchAuroc(net);
    loc["mismatch_auroc_untrained"] = untrained ? mismatchAuroc(*untrained) : nlohmann::json(nullptr);
    loc["mismatch_pairs"] = kept.size();
    report["localization"] = loc;
  }
  progress.finish();

  if (!opts.dumpDir.empty()) {
    std::filesystem::create_directories(opts.dumpDir);
    const auto im = toVector(l2normalise(dumpImage)), au = toVector(l2normalise(dumpAudio));
    writeNpy(opts.dumpDir / "emb_image.npy", {n, dumpImage.size(1)}, im.data());
    writeNpy(opts.dumpDir / "emb_audio.npy", {n, dumpAudio.size(1)}, au.data());
    writeNpy(opts.dumpDir / "relevance.npy", {n, n}, rel.data());
    nlohmann::json ids = nlohmann::json::array();
    for (auto& c : clips) ids.push_back(c.clip->id);
    writeFileAtomically(opts.dumpDir / "ids.json", ids.dump(2) + "\n");
  }
  return report;
}

}  // namespace soundspot::eval
