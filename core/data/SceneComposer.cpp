#include "core/data/SceneComposer.h"

#include "core/common/Error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace soundspot::data {
namespace {

constexpr int64_t kSecond = kPackSampleRate;
constexpr int64_t kFade = kPackSampleRate / 100;  // 10 ms ramps where the source changes

float uniform(std::mt19937_64& rng, float a, float b) { return std::uniform_real_distribution<float>(a, b)(rng); }
int pick(std::mt19937_64& rng, size_t n) { return static_cast<int>(std::uniform_int_distribution<size_t>(0, n - 1)(rng)); }
template <class T>
const T& pickFrom(std::mt19937_64& rng, const std::vector<T>& v) { return v[pick(rng, v.size())]; }

// Which modality a split draws from the held-out instances (the one place
// that says so; the pools and the recording stretches follow from it).
bool picturesHeldOut(SceneSplit split) { return split == SceneSplit::TestUnseen || split == SceneSplit::TestUnseenImages; }
bool recordingsHeldOut(SceneSplit split) { return split == SceneSplit::TestUnseen || split == SceneSplit::TestUnseenSounds; }

// The stretch of a recording a split may play: train/val keep off the
// held-out tail, a test split hearing training recordings (test-seen,
// test-unseen-images) plays only the tail when there is one.
std::pair<int64_t, int64_t> soundRange(const PackSound& s, SceneSplit split) {
  const int64_t n = static_cast<int64_t>(s.pcm.size());
  if (s.split == InstanceSplit::Unseen) return {0, n};
  if (isTestSplit(split) && !recordingsHeldOut(split))
    return s.heldOutFrom < n ? std::make_pair(s.heldOutFrom, n) : std::make_pair(int64_t(0), n);
  return {0, std::max<int64_t>(1, s.heldOutFrom)};
}

float lerp(float a, float b, float u) { return a + (b - a) * u; }

}  // namespace

SceneSplit parseSceneSplit(const std::string& name) {
  if (name == "train") return SceneSplit::Train;
  if (name == "val") return SceneSplit::Val;
  if (name == "test-seen") return SceneSplit::TestSeen;
  if (name == "test-unseen") return SceneSplit::TestUnseen;
  if (name == "test-unseen-images") return SceneSplit::TestUnseenImages;
  if (name == "test-unseen-sounds") return SceneSplit::TestUnseenSounds;
  throw UsageError(name, "unknown scene split (train, val, test-seen, test-unseen, test-unseen-images, test-unseen-sounds)");
}

bool isTestSplit(SceneSplit split) { return split != SceneSplit::Train && split != SceneSplit::Val; }

std::string sceneSplitName(SceneSplit split) {
  switch (split) {
    case SceneSplit::Train: return "train";
    case SceneSplit::Val: return "val";
    case SceneSplit::TestSeen: return "test-seen";
    case SceneSplit::TestUnseen: return "test-unseen";
    case SceneSplit::TestUnseenImages: return "test-unseen-images";
    case SceneSplit::TestUnseenSounds: return "test-unseen-sounds";
  }
  return "train";
}

ScenePools scenePools(const AssetPack& pack, SceneSplit split) {
  const InstanceSplit wantImage = picturesHeldOut(split) ? InstanceSplit::Unseen : InstanceSplit::Train;
  const InstanceSplit wantSound = recordingsHeldOut(split) ? InstanceSplit::Unseen : InstanceSplit::Train;
  const bool testBackgrounds = isTestSplit(split);
  ScenePools pools;
  pools.imagesOfClass.resize(pack.classes.size());
  pools.soundsOfClass.resize(pack.classes.size());
  for (size_t i = 0; i < pack.images.size(); ++i)
    if (pack.images[i].split == wantImage) {
      pools.imagesOfClass[pack.images[i].classId].push_back(static_cast<int>(i));
      pools.allImages.push_back(static_cast<int>(i));
    }
  for (size_t i = 0; i < pack.sounds.size(); ++i)
    if (pack.sounds[i].split == wantSound && !pack.sounds[i].pcm.empty())
      pools.soundsOfClass[pack.sounds[i].classId].push_back(static_cast<int>(i));
  for (size_t c = 0; c < pack.classes.size(); ++c)
    if (!pools.imagesOfClass[c].empty() && !pools.soundsOfClass[c].empty()) pools.soundingClasses.push_back(int(c));
  for (size_t i = 0; i < pack.backgrounds.size(); ++i)
    if (pack.backgrounds[i].test == testBackgrounds) pools.backgrounds.push_back(static_cast<int>(i));
  if (pools.soundingClasses.size() < 2 || pools.backgrounds.empty())
    throw Error("asset pack", "split " + sceneSplitName(split) + " has too few classes with image and sound, or no background");
  return pools;
}

ScenePlan planScene(const AssetPack& pack, const ScenePools& pools, SceneSplit split, const SceneRules& rules,
                    std::mt19937_64& rng) {
  ScenePlan plan;
  plan.split = split;
  plan.background = pickFrom(rng, pools.backgrounds);
  plan.noisy = uniform(rng, 0, 1) < rules.noisyRate;
  plan.bgPanFrom = uniform(rng, 0, 1);
  plan.bgPanTo = plan.noisy ? plan.bgPanFrom : std::clamp(plan.bgPanFrom + uniform(rng, -0.15f, 0.15f), 0.f, 1.f);

  // 1 object in 20% of clips, 2 or 3 otherwise: silent distractors are common.
  const float r = uniform(rng, 0, 1);
  const int objectCount = std::min(rules.maxObjects, r < 0.2f ? 1 : r < 0.6f ? 2 : 3);
  const bool switches = !plan.noisy && objectCount >= 2 && uniform(rng, 0, 1) < rules.switchRate;
  const int soundingCount = plan.noisy ? 0 : switches ? 2 : 1;

  // Distinct classes per clip so that a label names one visible object.
  std::vector<int> classes = pools.soundingClasses;
  std::shuffle(classes.begin(), classes.end(), rng);
  std::set<int> used;
  for (int i = 0; i < objectCount; ++i) {
    SceneObject o;
    int cls;
    if (i < soundingCount) {
      cls = classes[i];
      o.sound = pickFrom(rng, pools.soundsOfClass[cls]);
    } else {
      int image = pickFrom(rng, pools.allImages);
      for (int tries = 0; tries < 20 && used.count(pack.images[image].classId); ++tries) image = pickFrom(rng, pools.allImages);
      cls = pack.images[image].classId;
      if (used.count(cls)) break;
    }
    used.insert(cls);
    o.image = pickFrom(rng, pools.imagesOfClass[cls]);
    plan.objects.push_back(o);
  }
  // Sounding objects are not always drawn first (on top of / below distractors).
  std::shuffle(plan.objects.begin(), plan.objects.end(), rng);

  // Horizontal slots keep objects mostly apart; slow drift and zoom.
  const int n = static_cast<int>(plan.objects.size());
  std::vector<int> slots(n);
  for (int i = 0; i < n; ++i) slots[i] = i;
  std::shuffle(slots.begin(), slots.end(), rng);
  const float aspect = 4.f / 3.f;  // frame width / height the rules are tuned for
  for (int i = 0; i < n; ++i) {
    auto& o = plan.objects[i];
    const auto& im = pack.images[o.image];
    // Wide objects (a trumpet drawn sideways) are kept within 85% of the frame width.
    const float imageAspect = im.width / float(std::max(1, im.height));
    const float maxHeight = 0.85f * aspect / imageAspect;
    o.h0 = std::min(uniform(rng, float(rules.minObjectHeight), float(rules.maxObjectHeight)), maxHeight);
    o.h1 = plan.noisy ? o.h0 : std::min(std::clamp(o.h0 * uniform(rng, 0.85f, 1.15f), 0.2f, 0.7f), maxHeight);
    const float halfW = std::max(o.h0, o.h1) * im.width / float(std::max(1, im.height)) / aspect / 2;
    const float halfH = std::max(o.h0, o.h1) / 2;
    auto clampX = [&](float x) { return halfW < 0.5f ? std::clamp(x, halfW, 1 - halfW) : 0.5f; };
    auto clampY = [&](float y) { return halfH < 0.5f ? std::clamp(y, halfH, 1 - halfH) : 0.5f; };
    const float slotW = 1.f / n;
    o.x0 = clampX((slots[i] + uniform(rng, 0.3f, 0.7f)) * slotW);
    o.y0 = clampY(uniform(rng, 0.3f, 0.7f));
    o.x1 = plan.noisy ? o.x0 : clampX(o.x0 + uniform(rng, -0.08f, 0.08f));
    o.y1 = plan.noisy ? o.y0 : clampY(o.y0 + uniform(rng, -0.06f, 0.06f));
    o.mirrored = uniform(rng, 0, 1) < 0.5f;
  }
  // Drawn only for training scenes, so val/test plans stay what they were
  // for a seed (the benchmark is byte-identical).
  if (split == SceneSplit::Train && rules.instanceAugment)
    for (auto& o : plan.objects) {
      o.greyscale = uniform(rng, 0, 1) < rules.greyscaleRate;
      for (auto& g : o.colourGain) g = uniform(rng, 1 - rules.colourJitter, 1 + rules.colourJitter);
      o.stretch = uniform(rng, 1 - rules.stretchJitter, 1 + rules.stretchJitter);
      o.playbackRate = uniform(rng, rules.minPlaybackRate, rules.maxPlaybackRate);
    }
  if (split == SceneSplit::Train && rules.shapeAugment)
    for (auto& o : plan.objects) {
      o.silhouette = uniform(rng, 0, 1) < float(rules.silhouetteRate);
      for (auto& c : o.silhouetteColour) c = uniform(rng, 0.f, 255.f);
      if (uniform(rng, 0, 1) < float(rules.channelShuffleRate)) std::shuffle(o.channelOrder.begin(), o.channelOrder.end(), rng);
    }

  std::vector<int> soundingObjects;
  for (int i = 0; i < n; ++i)
    if (plan.objects[i].sound >= 0) soundingObjects.push_back(i);
  std::vector<int> offscreenClasses;
  for (int c : pools.soundingClasses)
    if (!used.count(c)) offscreenClasses.push_back(c);

  const int secondCount = static_cast<int>(std::floor(rules.duration + 1e-9));
  const int switchAt = secondCount > 2 ? 1 + pick(rng, secondCount - 2) : 1;
  std::vector<int64_t> playhead(n, -1);
  std::vector<float> gains(n);
  for (auto& g : gains) g = uniform(rng, 0.5f, 1.0f);
  SceneSecond offscreen;  // an off-screen source keeps playing across adjacent seconds
  for (int k = 0; k < secondCount; ++k) {
    SceneSecond s;
    const bool isOffscreen = soundingObjects.empty() || uniform(rng, 0, 1) < rules.offscreenSecondRate;
    if (isOffscreen && !offscreenClasses.empty()) {
      if (offscreen.sound < 0 || k == 0 || plan.seconds.back().sounding >= 0) {
        offscreen.sound = pickFrom(rng, pools.soundsOfClass[pickFrom(rng, offscreenClasses)]);
        const auto [a, b] = soundRange(pack.sounds[offscreen.sound], split);
        offscreen.soundStart = a + std::uniform_int_distribution<int64_t>(0, b - a - 1)(rng);
        offscreen.gain = uniform(rng, 0.5f, 1.0f);
      } else {
        const auto [a, b] = soundRange(pack.sounds[offscreen.sound], split);
        offscreen.soundStart = a + (offscreen.soundStart + kSecond - a) % (b - a);
      }
      s = offscreen;
      s.sounding = -1;
    } else if (!soundingObjects.empty()) {
      const int obj = soundingObjects[(switches && k >= switchAt) ? 1 : 0];
      auto& o = plan.objects[obj];
      if (playhead[obj] < 0) {
        const auto [a, b] = soundRange(pack.sounds[o.sound], split);
        playhead[obj] = a + std::uniform_int_distribution<int64_t>(0, b - a - 1)(rng);
      }
      s.sounding = obj;
      s.sound = o.sound;
      s.soundStart = playhead[obj];
      s.gain = gains[obj];
      s.rate = o.playbackRate;
      const auto [a, b] = soundRange(pack.sounds[o.sound], split);
      const auto advance = static_cast<int64_t>(std::lround(kSecond * double(s.rate)));
      playhead[obj] = a + (playhead[obj] + advance - a) % (b - a);  // loops within the allowed stretch
    }
    plan.seconds.push_back(s);
  }
  return plan;
}

void renderSceneFrame(const AssetPack& pack, const ScenePlan& plan, const SceneRules& rules, double t, int w, int h,
                      uint8_t* rgb, std::vector<SceneBox>* boxes, int hideObject) {
  const float u = static_cast<float>(std::clamp(t / rules.duration, 0.0, 1.0));
  // Background: a window of the frame's aspect, panning slowly across the photo.
  const auto& bg = pack.backgrounds.at(plan.background);
  const float cropH = static_cast<float>(bg.height);
  const float cropW = std::min<float>(bg.width, cropH * w / h);
  const float left = lerp(plan.bgPanFrom, plan.bgPanTo, u) * (bg.width - cropW);
  for (int y = 0; y < h; ++y) {
    const float sy = std::clamp((y + 0.5f) * cropH / h - 0.5f, 0.f, float(bg.height - 1));
    const int y0 = static_cast<int>(sy), y1 = std::min(y0 + 1, bg.height - 1);
    const float fy = sy - y0;
    for (int x = 0; x < w; ++x) {
      const float sx = std::clamp(left + (x + 0.5f) * cropW / w - 0.5f, 0.f, float(bg.width - 1));
      const int x0 = static_cast<int>(sx), x1 = std::min(x0 + 1, bg.width - 1);
      const float fx = sx - x0;
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int yy, int xx) { return float(bg.rgb[(size_t(yy) * bg.width + xx) * 3 + c]); };
        const float v = (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
        rgb[(size_t(y) * w + x) * 3 + c] = static_cast<uint8_t>(std::lround(v));
      }
    }
  }
  if (boxes) boxes->clear();
  const int second = std::clamp(static_cast<int>(std::floor(t)), 0, int(plan.seconds.size()) - 1);
  for (size_t i = 0; i < plan.objects.size(); ++i) {
    if (int(i) == hideObject) continue;
    const auto& o = plan.objects[i];
    const auto& im = pack.images.at(o.image);
    const bool permuted = o.channelOrder != std::array<int, 3>{0, 1, 2};  // checked once, not per pixel
    const float oh = lerp(o.h0, o.h1, u) * h, ow = oh * im.width / float(im.height) * o.stretch;
    const float ox = lerp(o.x0, o.x1, u) * w - ow / 2, oy = lerp(o.y0, o.y1, u) * h - oh / 2;
    int minX = w, minY = h, maxX = -1, maxY = -1;
    const int px0 = std::max(0, int(std::floor(ox))), px1 = std::min(w, int(std::ceil(ox + ow)));
    const int py0 = std::max(0, int(std::floor(oy))), py1 = std::min(h, int(std::ceil(oy + oh)));
    for (int y = py0; y < py1; ++y) {
      const float sy = (y + 0.5f - oy) / oh * im.height - 0.5f;
      if (sy < -0.5f || sy > im.height - 0.5f) continue;
      const float cy = std::clamp(sy, 0.f, float(im.height - 1));
      const int y0 = int(cy), y1 = std::min(y0 + 1, im.height - 1);
      const float fy = cy - y0;
      for (int x = px0; x < px1; ++x) {
        float sx = (x + 0.5f - ox) / ow * im.width - 0.5f;
        if (sx < -0.5f || sx > im.width - 0.5f) continue;
        if (o.mirrored) sx = im.width - 1 - sx;
        const float cx = std::clamp(sx, 0.f, float(im.width - 1));
        const int x0 = int(cx), x1 = std::min(x0 + 1, im.width - 1);
        const float fx = cx - x0;
        // Bilinear on premultiplied colour so transparent texels do not bleed.
        float acc[4] = {0, 0, 0, 0};
        const int xs[2] = {x0, x1}, ys[2] = {y0, y1};
        const float wx[2] = {1 - fx, fx}, wy[2] = {1 - fy, fy};
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b) {
            const uint8_t* p = &im.rgba[(size_t(ys[a]) * im.width + xs[b]) * 4];
            const float wgt = wy[a] * wx[b], alpha = p[3] / 255.f;
            for (int c = 0; c < 3; ++c) acc[c] += wgt * alpha * p[c];
            acc[3] += wgt * alpha;
          }
        if (acc[3] <= 1e-3f) continue;
        if (o.silhouette) {
          for (int c = 0; c < 3; ++c) acc[c] = o.silhouetteColour[c] * acc[3];
        } else if (o.greyscale) {
          const float luma = 0.299f * acc[0] + 0.587f * acc[1] + 0.114f * acc[2];
          acc[0] = acc[1] = acc[2] = luma;
        } else {
          for (int c = 0; c < 3; ++c) acc[c] = std::min(acc[c] * o.colourGain[c], 255.f * acc[3]);
        }
        if (permuted) {
          const float in[3] = {acc[0], acc[1], acc[2]};
          for (int c = 0; c < 3; ++c) acc[c] = in[o.channelOrder[c]];
        }
        uint8_t* d = &rgb[(size_t(y) * w + x) * 3];
        for (int c = 0; c < 3; ++c) d[c] = static_cast<uint8_t>(std::clamp(std::lround(acc[c] + d[c] * (1 - acc[3])), 0L, 255L));
        if (acc[3] >= 0.5f) {
          minX = std::min(minX, x), maxX = std::max(maxX, x);
          minY = std::min(minY, y), maxY = std::max(maxY, y);
        }
      }
    }
    if (boxes && maxX >= 0)
      boxes->push_back({int(i), plan.seconds.empty() ? false : plan.seconds[second].sounding == int(i),
                        {float(minX) / w, float(minY) / h, float(maxX + 1) / w, float(maxY + 1) / h}});
  }
}

std::vector<float> renderSceneAudio(const AssetPack& pack, const ScenePlan& plan, int64_t start, int64_t count) {
  std::vector<float> out(std::max<int64_t>(0, count), 0.f);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t g = start + i;
    if (g < 0) continue;
    const int64_t k = g / kSecond;
    if (k >= int64_t(plan.seconds.size())) break;
    const auto& s = plan.seconds[k];
    if (s.sound < 0) continue;
    const auto& snd = pack.sounds[s.sound];
    const auto [a, b] = soundRange(snd, plan.split);
    const int64_t within = g - k * kSecond;
    // Loop short recordings over the second; a rate other than 1 resamples
    // linearly (faster playback raises the pitch, like a tape).
    float v;
    if (s.rate == 1.f) {
      const int64_t pos = a + ((s.soundStart - a + within) % (b - a));
      v = snd.pcm[pos] / 32768.f * s.gain;
    } else {
      const double offset = double(s.soundStart - a) + double(within) * s.rate;
      const auto whole = static_cast<int64_t>(offset);
      const float frac = static_cast<float>(offset - double(whole));
      const int64_t p0 = a + whole % (b - a), p1 = a + (whole + 1) % (b - a);
      v = (snd.pcm[p0] * (1 - frac) + snd.pcm[p1] * frac) / 32768.f * s.gain;
    }
    // Ramps where the source changes avoid clicks that would betray the switch.
    auto same = [&](int64_t kk) {
      return kk >= 0 && kk < int64_t(plan.seconds.size()) && plan.seconds[kk].sound == s.sound &&
             std::abs(kk - k) == 1;
    };
    if (within < kFade && !same(k - 1)) v *= float(within) / kFade;
    if (kSecond - within <= kFade && !same(k + 1)) v *= float(kSecond - within) / kFade;
    out[i] = v;
  }
  return out;
}

std::vector<std::string> sceneLabels(const AssetPack& pack, const ScenePlan& plan) {
  std::vector<std::string> labels;
  for (const auto& s : plan.seconds)
    if (s.sound >= 0) {
      const auto& name = pack.classes[pack.sounds[s.sound].classId];
      if (std::find(labels.begin(), labels.end(), name) == labels.end()) labels.push_back(name);
    }
  return labels;
}

}  // namespace soundspot::data
