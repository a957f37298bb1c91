#pragma once
// The rules of "SoundSpot Scenes", shared by the mp4 dataset path
// (`soundspot-cli scenes`) and the on-the-fly training path (SceneSource):
// a ScenePlan says which objects move where and which one sounds in each
// second; renderSceneFrame / renderSceneAudio turn a plan into pixels and
// samples with exact ground truth. No torch, no Qt. Rules: docs/SCENES.md.
#include "core/data/AssetPack.h"

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace soundspot::data {

// Which scenes a split draws: instances, backgrounds and recording stretches.
// The two crossed test splits are diagnostics (not in the benchmark): held-out
// pictures with seen recordings (their held-out tails, as test-seen plays),
// and seen pictures with held-out recordings, to tell which tower fails to
// generalise to new instances.
enum class SceneSplit { Train, Val, TestSeen, TestUnseen, TestUnseenImages, TestUnseenSounds };
SceneSplit parseSceneSplit(const std::string& name);  // throws UsageError
std::string sceneSplitName(SceneSplit split);
bool isTestSplit(SceneSplit split);

struct SceneRules {
  double duration = 8.0;             // seconds
  int maxObjects = 3;
  double offscreenSecondRate = 0.15; // seconds whose source is not visible
  double switchRate = 0.5;           // clips in which the sounding object changes
  double noisyRate = 0.1;            // AudioSet-like clips: still picture, unrelated sound
  double minObjectHeight = 0.30, maxObjectHeight = 0.55;  // of the frame height
  // Training scenes only: each object's look and sound vary so that a model
  // might learn the class rather than the few instances it sees (RESEARCH.md
  // saw held-out pointing rise on the GPU; on the CPU budget it did not, so
  // it is off unless asked for: train --vary-instances).
  bool instanceAugment = false;
  double greyscaleRate = 0.3;      // objects drawn without colour (bridges photos and drawings)
  float colourJitter = 0.2f;       // per-channel gain 1 ± this
  float stretchJitter = 0.15f;     // object width × (1 ± this)
  float minPlaybackRate = 0.8f, maxPlaybackRate = 1.2f;  // recording played faster/slower (pitch follows)
  // Training scenes only: take colour and texture away from some objects so
  // that the vision tower has to use shape, the cue most shared by a photo
  // and a drawing of one kind of object (off unless asked for: train --shape-augment).
  bool shapeAugment = false;
  double silhouetteRate = 0.25;    // objects drawn as a flat silhouette of a random colour
  double channelShuffleRate = 0.5; // objects drawn with their colour channels permuted
};

struct SceneObject {
  int image = 0;                   // index in AssetPack::images
  int sound = -1;                  // its recording when it sounds (AssetPack::sounds)
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // centre at start / end, normalised
  float h0 = 0, h1 = 0;            // height at start / end, fraction of frame height
  bool mirrored = false;
  // Look and sound variations (identity outside training scenes).
  bool greyscale = false;
  std::array<float, 3> colourGain{1.f, 1.f, 1.f};
  float stretch = 1.f;             // width scale of the drawn image
  float playbackRate = 1.f;        // its recording's speed
  bool silhouette = false;         // drawn as its alpha mask filled with silhouetteColour
  std::array<float, 3> silhouetteColour{0.f, 0.f, 0.f};
  std::array<int, 3> channelOrder{0, 1, 2};  // output channel c takes input channel channelOrder[c]
};

struct SceneSecond {
  int sounding = -1;     // object index, or -1: the source is off-screen
  int sound = -1;        // recording heard in this second
  int64_t soundStart = 0;// sample of the recording at the start of the second
  float gain = 1;
  float rate = 1;        // playback speed of the recording in this second
};

struct ScenePlan {
  SceneSplit split = SceneSplit::Train;
  int background = 0;
  float bgPanFrom = 0, bgPanTo = 0;  // horizontal pan of the crop window, 0..1
  bool noisy = false;
  std::vector<SceneObject> objects;
  std::vector<SceneSecond> seconds;  // one per whole second of the clip
};

// The instances and backgrounds a split may use (built once per pack).
struct ScenePools {
  std::vector<std::vector<int>> imagesOfClass, soundsOfClass;  // usable by the split
  std::vector<int> soundingClasses;  // classes with at least one image and one sound
  std::vector<int> allImages;        // any usable image (distractors)
  std::vector<int> backgrounds;
};
ScenePools scenePools(const AssetPack& pack, SceneSplit split);

// Draws one scene. Deterministic for the rng state.
ScenePlan planScene(const AssetPack& pack, const ScenePools& pools, SceneSplit split, const SceneRules& rules,
                    std::mt19937_64& rng);

struct SceneBox {
  int object = 0;
  bool sounding = false;
  std::array<float, 4> box{};  // x0, y0, x1, y1 normalised, tight to the alpha mask
};

// Renders the frame at time t (seconds) as packed RGB into rgb (w*h*3) and,
// when boxes is given, the visible objects' boxes. hideObject >= 0 leaves
// that object out (tests compare against it).
void renderSceneFrame(const AssetPack& pack, const ScenePlan& plan, const SceneRules& rules, double t, int w, int h,
                      uint8_t* rgb, std::vector<SceneBox>* boxes = nullptr, int hideObject = -1);

// The sound track from `start` samples for `count` samples at 48 kHz mono.
std::vector<float> renderSceneAudio(const AssetPack& pack, const ScenePlan& plan, int64_t start, int64_t count);

// Class names heard in the clip (the clip-level labels).
std::vector<std::string> sceneLabels(const AssetPack& pack, const ScenePlan& plan);

}  // namespace soundspot::data
