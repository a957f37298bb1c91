#include "core/common/Error.h"
#include "core/data/SceneComposer.h"
#include "core/data/SceneSplits.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <set>

using namespace soundspot;
using namespace soundspot::data;

class TestSceneComposer : public QObject {
  Q_OBJECT

  AssetPack pack_ = [] {
    auto p = test::sceneFixturePack();
    assignInstanceSplits(p, 0);
    return p;
  }();
  SceneRules rules_ = [] {  // with the instance variations (train --vary-instances)
    SceneRules r;
    r.instanceAugment = true;
    return r;
  }();

  ScenePlan plan(SceneSplit split, uint64_t seed) { return plan(split, seed, rules_); }
  ScenePlan plan(SceneSplit split, uint64_t seed, const SceneRules& rules) {
    std::mt19937_64 rng(seed);
    return planScene(pack_, scenePools(pack_, split), split, rules, rng);
  }
  // Training scenes whose objects keep their colour and tone (the checks
  // below find them by colour and pitch); size variations stay on.
  SceneRules trueColoursAndPitch() const {
    SceneRules r = rules_;
    r.greyscaleRate = 0, r.colourJitter = 0, r.minPlaybackRate = r.maxPlaybackRate = 1;
    return r;
  }

 private Q_SLOTS:
  void splitsHoldOutOneInstancePerClass() {
    for (int c = 0; c < 4; ++c) {
      int unseenImages = 0, unseenSounds = 0;
      for (const auto& im : pack_.images)
        if (im.classId == c && im.split == InstanceSplit::Unseen) {
          ++unseenImages;
          QVERIFY(im.drawing);  // a tie between photos and drawings holds out the drawing
        }
      for (const auto& s : pack_.sounds) unseenSounds += s.classId == c && s.split == InstanceSplit::Unseen;
      QCOMPARE(unseenImages, 1);
      QCOMPARE(unseenSounds, 1);
    }
    int testBackgrounds = 0;
    for (const auto& b : pack_.backgrounds) testBackgrounds += b.test;
    QCOMPARE(testBackgrounds, 1);
  }
  void trainNeverUsesTestInstances() {
    for (uint64_t seed = 0; seed < 200; ++seed) {
      for (auto split : {SceneSplit::Train, SceneSplit::Val, SceneSplit::TestSeen, SceneSplit::TestUnseen}) {
        const auto p = plan(split, seed);
        const auto want = split == SceneSplit::TestUnseen ? InstanceSplit::Unseen : InstanceSplit::Train;
        const bool testBg = split == SceneSplit::TestSeen || split == SceneSplit::TestUnseen;
        QCOMPARE(pack_.backgrounds[p.background].test, testBg);
        for (const auto& o : p.objects) QVERIFY(pack_.images[o.image].split == want);
        for (const auto& s : p.seconds) {
          if (s.sound < 0) continue;
          const auto& snd = pack_.sounds[s.sound];
          QVERIFY(snd.split == want);
          // test-seen plays only the held-out tail of long recordings, train never does.
          if (snd.heldOutFrom < int64_t(snd.pcm.size())) {
            if (split == SceneSplit::TestSeen) QVERIFY(s.soundStart >= snd.heldOutFrom);
            else QVERIFY(s.soundStart < snd.heldOutFrom);
          }
        }
      }
    }
  }
  // The crossed diagnostics hold out one modality only: held-out pictures
  // with the test-seen stretch of seen recordings, or seen pictures with
  // held-out recordings; both on test backgrounds.
  void crossedSplitsHoldOutOneModality() {
    int seenTails = 0;
    for (uint64_t seed = 0; seed < 200; ++seed) {
      for (auto split : {SceneSplit::TestUnseenImages, SceneSplit::TestUnseenSounds}) {
        const auto p = plan(split, seed);
        const bool imagesHeld = split == SceneSplit::TestUnseenImages;
        QVERIFY(pack_.backgrounds[p.background].test);
        for (const auto& o : p.objects)
          QVERIFY(pack_.images[o.image].split == (imagesHeld ? InstanceSplit::Unseen : InstanceSplit::Train));
        for (const auto& sec : p.seconds) {
          if (sec.sound < 0) continue;
          const auto& snd = pack_.sounds[sec.sound];
          QVERIFY(snd.split == (imagesHeld ? InstanceSplit::Train : InstanceSplit::Unseen));
          if (imagesHeld && snd.heldOutFrom < int64_t(snd.pcm.size())) {
            QVERIFY(sec.soundStart >= snd.heldOutFrom);
            ++seenTails;
          }
        }
      }
    }
    QVERIFY(seenTails > 0);  // the fixture has recordings long enough to have a tail
    QCOMPARE(parseSceneSplit("test-unseen-images"), SceneSplit::TestUnseenImages);
    QCOMPARE(sceneSplitName(SceneSplit::TestUnseenSounds), std::string("test-unseen-sounds"));
    QVERIFY(isTestSplit(SceneSplit::TestUnseenSounds) && !isTestSplit(SceneSplit::Val));
  }
  void sameSeedSamePlan() {
    const auto a = plan(SceneSplit::Train, 7), b = plan(SceneSplit::Train, 7);
    QCOMPARE(a.objects.size(), b.objects.size());
    for (size_t i = 0; i < a.objects.size(); ++i) {
      QCOMPARE(a.objects[i].image, b.objects[i].image);
      QCOMPARE(a.objects[i].x0, b.objects[i].x0);
    }
    for (size_t k = 0; k < a.seconds.size(); ++k) QCOMPARE(a.seconds[k].soundStart, b.seconds[k].soundStart);
  }
  void ruleFractions() {
    int noisy = 0, switching = 0, offscreen = 0, seconds = 0, withDistractor = 0;
    const int n = 600;
    for (int seed = 0; seed < n; ++seed) {
      const auto p = plan(SceneSplit::Train, 1000 + seed);
      noisy += p.noisy;
      std::set<int> sounding;
      for (const auto& s : p.seconds) {
        if (s.sounding >= 0) sounding.insert(s.sounding);
        if (!p.noisy) offscreen += s.sounding < 0, ++seconds;
        // A sounding object is visible and its recording is of its class.
        if (s.sounding >= 0) QCOMPARE(pack_.sounds[s.sound].classId, pack_.images[p.objects[s.sounding].image].classId);
      }
      switching += sounding.size() > 1;
      withDistractor += p.objects.size() > sounding.size();
    }
    QVERIFY(noisy > n * 0.05 && noisy < n * 0.16);
    QVERIFY(switching > n * 0.2);
    QVERIFY(offscreen > seconds * 0.08 && offscreen < seconds * 0.25);
    QVERIFY(withDistractor > n * 0.6);
  }
  void boxesAreTightToTheObject() {
    const int w = 320, h = 240;
    std::vector<uint8_t> with(w * h * 3), without(w * h * 3);
    const SceneRules rules = trueColoursAndPitch();
    int stretched = 0;
    for (uint64_t seed = 0; seed < 20; ++seed) {
      const auto p = plan(SceneSplit::Train, seed, rules);
      for (const auto& o : p.objects) stretched += std::abs(o.stretch - 1) > 0.05f;
      std::vector<SceneBox> boxes;
      renderSceneFrame(pack_, p, rules, 2.5, w, h, with.data(), &boxes);
      QCOMPARE(boxes.size(), p.objects.size());
      for (const auto& b : boxes) {
        renderSceneFrame(pack_, p, rules, 2.5, w, h, without.data(), nullptr, b.object);
        // The pixels the object changed, measured independently of the box code.
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        const uint8_t* colour = test::kSceneFixtureColours[pack_.images[p.objects[b.object].image].classId];
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) {
            const uint8_t* a = &with[(y * w + x) * 3];
            const uint8_t* o = &without[(y * w + x) * 3];
            if (std::abs(a[0] - o[0]) + std::abs(a[1] - o[1]) + std::abs(a[2] - o[2]) < 60) continue;
            if (std::abs(a[0] - colour[0]) + std::abs(a[1] - colour[1]) + std::abs(a[2] - colour[2]) > 60) continue;
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
          }
        if (x1 < 0) continue;  // fully covered by another object
        const double tol = 2.0;
        // Occluders can only shrink what is visible, never grow it.
        QVERIFY(x0 >= b.box[0] * w - tol && x1 + 1 <= b.box[2] * w + tol);
        QVERIFY(y0 >= b.box[1] * h - tol && y1 + 1 <= b.box[3] * h + tol);
        bool occluded = false;
        for (const auto& other : boxes)
          if (other.object > b.object && other.box[0] < b.box[2] && other.box[2] > b.box[0] &&
              other.box[1] < b.box[3] && other.box[3] > b.box[1])
            occluded = true;
        if (!occluded) {
          QVERIFY(std::abs(x0 - b.box[0] * w) <= tol && std::abs(x1 + 1 - b.box[2] * w) <= tol);
          QVERIFY(std::abs(y0 - b.box[1] * h) <= tol && std::abs(y1 + 1 - b.box[3] * h) <= tol);
        }
      }
    }
    QVERIFY2(stretched > 10, "the boxes were checked on stretched objects too");
  }
  void soundingSecondPlaysTheObjectsTone() {
    int checked = 0;
    for (uint64_t seed = 0; seed < 30; ++seed) {
      const auto p = plan(SceneSplit::Train, seed, trueColoursAndPitch());
      const auto audio = renderSceneAudio(pack_, p, 0, int64_t(rules_.duration * kPackSampleRate));
      for (size_t k = 0; k < p.seconds.size(); ++k) {
        const auto& s = p.seconds[k];
        const int heard = test::dominantToneClass(audio.data() + k * kPackSampleRate, kPackSampleRate);
        if (s.sounding >= 0) {
          QCOMPARE(heard, pack_.images[p.objects[s.sounding].image].classId);
          ++checked;
        } else if (s.sound >= 0) {
          // Off-screen: the sound is of a class that is not visible.
          for (const auto& o : p.objects) QVERIFY(pack_.images[o.image].classId != heard);
        }
      }
    }
    QVERIFY(checked > 100);
  }
  void instancesVaryOnlyInTrainingScenes() {
    SceneRules off = rules_;
    off.instanceAugment = false;
    for (auto split : {SceneSplit::Val, SceneSplit::TestSeen, SceneSplit::TestUnseen})
      for (uint64_t seed = 0; seed < 50; ++seed) {
        const auto p = plan(split, seed), q = plan(split, seed, off);
        QCOMPARE(p.objects.size(), q.objects.size());
        for (size_t i = 0; i < p.objects.size(); ++i) {
          const auto& o = p.objects[i];
          QVERIFY(!o.greyscale && o.stretch == 1.f && o.playbackRate == 1.f);
          QVERIFY(o.colourGain == (std::array<float, 3>{1.f, 1.f, 1.f}));
          QCOMPARE(o.image, q.objects[i].image);  // the benchmark's scenes are what they were
          QCOMPARE(o.x0, q.objects[i].x0);
        }
        for (size_t k = 0; k < p.seconds.size(); ++k) QCOMPARE(p.seconds[k].soundStart, q.seconds[k].soundStart);
      }
    int objects = 0, grey = 0, faster = 0, slower = 0;
    for (uint64_t seed = 0; seed < 300; ++seed)
      for (const auto& o : plan(SceneSplit::Train, seed).objects) {
        ++objects, grey += o.greyscale;
        faster += o.playbackRate > 1.05f, slower += o.playbackRate < 0.95f;
        QVERIFY(o.playbackRate >= rules_.minPlaybackRate && o.playbackRate <= rules_.maxPlaybackRate);
        QVERIFY(std::abs(o.stretch - 1) <= rules_.stretchJitter + 1e-6f);
        for (float g : o.colourGain) QVERIFY(std::abs(g - 1) <= rules_.colourJitter + 1e-6f);
      }
    QVERIFY(grey > objects * 0.2 && grey < objects * 0.4);
    QVERIFY(faster > objects / 5 && slower > objects / 5);
  }
  void greyscaleObjectsAreDrawnWithoutColour() {
    const int w = 320, h = 240;
    std::vector<uint8_t> with(w * h * 3), without(w * h * 3);
    int checkedPixels = 0;
    for (uint64_t seed = 0; seed < 40 && checkedPixels < 2000; ++seed) {
      const auto p = plan(SceneSplit::Train, seed);
      for (size_t i = 0; i < p.objects.size(); ++i) {
        if (!p.objects[i].greyscale) continue;
        // Alone on the background, so no other object's colour is in the way.
        ScenePlan alone = p;
        alone.objects = {p.objects[i]};
        renderSceneFrame(pack_, alone, rules_, 1.5, w, h, with.data());
        alone.objects.clear();
        renderSceneFrame(pack_, alone, rules_, 1.5, w, h, without.data());
        for (int j = 0; j < w * h; ++j) {
          const uint8_t* a = &with[j * 3];
          const uint8_t* o = &without[j * 3];
          if (std::abs(a[0] - o[0]) + std::abs(a[1] - o[1]) + std::abs(a[2] - o[2]) < 60) continue;
          // Inside the object (not its anti-aliased rim): one grey level.
          if (std::abs(a[0] - a[1]) <= 1 && std::abs(a[1] - a[2]) <= 1) ++checkedPixels;
          else if (std::abs(a[0] - o[0]) > 100 || std::abs(a[1] - o[1]) > 100 || std::abs(a[2] - o[2]) > 100)
            QFAIL(qPrintable(QString("a coloured pixel (%1,%2,%3) in a greyscale object").arg(a[0]).arg(a[1]).arg(a[2])));
        }
      }
    }
    QVERIFY(checkedPixels >= 2000);
  }
  void shapeVariationsOnlyInTrainingScenes() {
    SceneRules shape;
    shape.shapeAugment = true;
    for (auto split : {SceneSplit::Val, SceneSplit::TestSeen, SceneSplit::TestUnseen})
      for (uint64_t seed = 0; seed < 50; ++seed)
        for (const auto& o : plan(split, seed, shape).objects) {
          QVERIFY(!o.silhouette);
          QVERIFY(o.channelOrder == (std::array<int, 3>{0, 1, 2}));
        }
    for (uint64_t seed = 0; seed < 50; ++seed)  // off by default
      for (const auto& o : plan(SceneSplit::Train, seed, SceneRules{}).objects) QVERIFY(!o.silhouette);
    int objects = 0, silhouettes = 0, shuffled = 0;
    for (uint64_t seed = 0; seed < 300; ++seed)
      for (const auto& o : plan(SceneSplit::Train, seed, shape).objects) {
        ++objects, silhouettes += o.silhouette, shuffled += o.channelOrder != std::array<int, 3>{0, 1, 2};
        auto order = o.channelOrder;
        std::sort(order.begin(), order.end());
        QVERIFY(order == (std::array<int, 3>{0, 1, 2}));  // a permutation
      }
    QVERIFY(shape.silhouetteRate == 0.25 && shape.channelShuffleRate == 0.5);  // the rates --shape-augment documents
    QVERIFY(silhouettes > objects * 0.15 && silhouettes < objects * 0.35);
    QVERIFY(shuffled > objects * 0.3 && shuffled < objects * 0.6);  // 5 of 6 shuffles move a channel
  }
  void silhouettesAreOneFlatColour() {
    const int w = 320, h = 240;
    SceneRules shape;
    shape.shapeAugment = true, shape.silhouetteRate = 1;
    std::vector<uint8_t> with(w * h * 3), without(w * h * 3);
    int inside = 0;
    for (uint64_t seed = 0; seed < 10; ++seed) {
      const auto p = plan(SceneSplit::Train, seed, shape);
      ScenePlan alone = p;
      alone.objects = {p.objects[0]};
      QVERIFY(alone.objects[0].silhouette);
      std::vector<SceneBox> boxes;
      renderSceneFrame(pack_, alone, shape, 1.5, w, h, with.data(), &boxes);
      QCOMPARE(int(boxes.size()), 1);  // the silhouette still has its ground-truth box
      alone.objects.clear();
      renderSceneFrame(pack_, alone, shape, 1.5, w, h, without.data());
      const auto& colour = p.objects[0].silhouetteColour;
      for (int j = 0; j < w * h; ++j) {
        const uint8_t* a = &with[j * 3];
        const uint8_t* o = &without[j * 3];
        if (std::abs(a[0] - o[0]) + std::abs(a[1] - o[1]) + std::abs(a[2] - o[2]) < 60) continue;
        // Opaque pixels carry exactly the silhouette's colour; the rim blends it.
        int off = 0;
        for (int c = 0; c < 3; ++c) off = std::max(off, int(std::abs(a[c] - std::lround(colour[c]))));
        inside += off <= 1;
      }
    }
    QVERIFY(inside > 3000);
  }
  void playbackRateShiftsThePitch() {
    // One object whose 440 Hz recording plays 1.5x faster: 660 Hz is heard.
    ScenePlan p = plan(SceneSplit::Train, 3, trueColoursAndPitch());
    const int tone440 = [&] {
      for (size_t i = 0; i < pack_.sounds.size(); ++i)
        if (pack_.sounds[i].classId == 0 && pack_.sounds[i].split == InstanceSplit::Train) return int(i);
      return -1;
    }();
    QVERIFY(tone440 >= 0);
    for (auto& s : p.seconds) s = SceneSecond{-1, tone440, 0, 1.f, 1.5f};
    const auto audio = renderSceneAudio(pack_, p, 0, kPackSampleRate);
    const float* second = audio.data() + kPackSampleRate / 10;  // past the fade-in
    const size_t n = kPackSampleRate / 2;
    QVERIFY(test::tonePower(second, n, 660) > 50 * test::tonePower(second, n, 440));
  }
  void unknownSplitIsAUsageError() { QVERIFY_THROWS_EXCEPTION(UsageError, parseSceneSplit("test")); }
};
SOUNDSPOT_TEST(TestSceneComposer)
#include "test_scene_composer.moc"
