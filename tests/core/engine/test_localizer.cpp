// Localizer on a tiny randomly initialised AVOL-Net: maps arrive off the
// calling thread, equal the network's own forward pass (an independent
// path: no region cache, no split), and swapping the soundtrack changes them
// while the visual regions are reused.
#include "core/audio/Spectrogram.h"
#include "core/common/Error.h"
#include "core/engine/Localizer.h"
#include "core/engine/MapModel.h"
#include "core/nn/Model.h"
#include "core/nn/Preprocess.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <thread>

using namespace soundspot;

namespace {

// 40 frames at 20 fps; each a different gradient so regions differ per frame.
class SyntheticFrames : public engine::FrameSource {
 public:
  SyntheticFrames() {
    for (int i = 0; i < 40; ++i) times_.push_back(i / 20.0);
  }
  const std::vector<double>& frameTimes() override { return times_; }
  engine::FrameImage frame(int64_t index) override { return draw(index); }
  static engine::FrameImage draw(int64_t index) {
    engine::FrameImage f{64, 48, std::vector<uint8_t>(64 * 48 * 3)};
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x) {
        uint8_t* p = &f.rgb[(y * 64 + x) * 3];
        p[0] = static_cast<uint8_t>((x * 4 + index * 5) % 256);
        p[1] = static_cast<uint8_t>(y * 5);
        p[2] = static_cast<uint8_t>((x > 20 && x < 40 && y > 10 && y < 30) ? 250 : 20);
      }
    return f;
  }

 private:
  std::vector<double> times_;
};

std::shared_ptr<engine::Soundtrack> tone(double hz, const std::string& name, bool original) {
  auto s = std::make_shared<engine::Soundtrack>();
  s->name = name;
  s->original = original;
  s->samples.resize(3 * engine::kSoundtrackRate);
  for (size_t i = 0; i < s->samples.size(); ++i) s->samples[i] = 0.5f * std::sin(2 * M_PI * hz * i / engine::kSoundtrackRate);
  return s;
}

std::shared_ptr<engine::Soundtrack> noise(const std::string& name) {
  auto s = std::make_shared<engine::Soundtrack>();
  s->name = name;
  s->original = false;
  s->samples.resize(3 * engine::kSoundtrackRate);
  uint32_t state = 12345;
  for (float& v : s->samples) {
    state = state * 1664525u + 1013904223u;
    v = (static_cast<float>(state >> 8) / float(1 << 24) - 0.5f) * 1.6f;
  }
  return s;
}

// A random AVOL-Net's similarities are tiny and almost equal (maps all ~0.51):
// stretch the calibration (a*x + b) around the mean logit of a typical input
// so that different audio visibly changes the map, as in a trained model.
void stretchCalibration(nn::Model& model, const uint8_t* rgb, int w, int h, const float* window) {
  torch::NoGradGuard noGrad;
  auto net = nn::avolNet(model);
  net->eval();
  const auto spec = audio::logSpectrogram(window);
  const auto logits = net->mapLogits(net->visualRegions(nn::imageTensor(rgb, w, h)), net->audioEmbedding(nn::audioTensor(spec.data())));
  const float mean = logits.mean().item<float>();
  net->calibration->weight.fill_(1000.f);
  net->calibration->bias.fill_(-1000.f * mean);
}

// The map through nn's own forward pass.
engine::HeatMap reference(const nn::Model& model, int64_t frameIndex, const engine::Soundtrack& s, double t) {
  torch::NoGradGuard noGrad;
  const auto f = SyntheticFrames::draw(frameIndex);
  const auto window = s.window(t);
  const auto spec = audio::logSpectrogram(window.data());
  const auto out = nn::avolNet(model)->forward(nn::imageTensor(f.rgb.data(), f.width, f.height), nn::audioTensor(spec.data()));
  const torch::Tensor map = out.map.contiguous();
  engine::HeatMap m;
  std::copy_n(map.data_ptr<float>(), m.size(), m.begin());
  return m;
}

float maxDifference(const engine::HeatMap& a, const engine::HeatMap& b) {
  float d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

// Waits until the localizer has a map exactly at frame time t.
bool waitForMapAt(engine::Localizer& loc, double t, int timeoutMs, engine::HeatMap* out) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    const engine::MapAt m = loc.mapAt(t);
    if (m.valid && std::abs(m.beforeTime - t) < 1e-9) {
      *out = m.before;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

class TestLocalizer : public QObject {
  Q_OBJECT
  std::filesystem::path modelDir_;
  nn::Model model_;

 private Q_SLOTS:
  void initTestCase() {
    torch::manual_seed(7);
    model_ = nn::makeModel(nn::NetConfig{nn::Arch::Avol, 8, 128});
    const auto frame = SyntheticFrames::draw(0);
    stretchCalibration(model_, frame.rgb.data(), frame.width, frame.height, tone(440, "t", true)->window(0.5).data());
    modelDir_ = test::freshTempDir("localizer-model") / "avol";
    nn::saveModel(model_, modelDir_, nn::WeightsPrecision::F32);
    model_.module()->eval();
  }

  void mapsArriveAndMatchTheNetwork() {
    engine::Localizer loc(std::make_unique<SyntheticFrames>(), std::make_unique<engine::MapModel>(modelDir_, nn::DeviceChoice::Cpu));
    const auto original = tone(440, "original", true);
    loc.setSoundtrack(original);
    loc.setPlayhead(0.5, false);  // frame 10
    engine::HeatMap map;
    QVERIFY(waitForMapAt(loc, 0.5, 20000, &map));
    const float diff = maxDifference(map, reference(model_, 10, *original, 0.5));
    QVERIFY2(diff < 1e-4f, qPrintable(QString("differs from the network's forward pass by %1").arg(diff)));
    const auto stats = loc.stats();
    QCOMPARE(QString::fromStdString(stats.device), QString("cpu"));
    QVERIFY(stats.latencyMs > 0);
    QVERIFY(loc.lastError().empty());
  }

  void swappingAudioChangesTheMapAndReusesRegions() {
    engine::Localizer loc(std::make_unique<SyntheticFrames>(), std::make_unique<engine::MapModel>(modelDir_, nn::DeviceChoice::Cpu));
    const auto original = tone(440, "original", true);
    loc.setSoundtrack(original);
    loc.setPlayhead(0.25, false);
    engine::HeatMap before;
    QVERIFY(waitForMapAt(loc, 0.25, 20000, &before));
    const size_t regions = loc.stats().cachedRegions;
    const auto swapped = noise("noise.wav");
    const auto t0 = std::chrono::steady_clock::now();
    loc.setSoundtrack(swapped);
    engine::HeatMap after;
    QVERIFY(waitForMapAt(loc, 0.25, 20000, &after));
    const double swapMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    qInfo("audio swap: new map for the current frame after %.1f ms", swapMs);
    QVERIFY2(swapMs < 500, qPrintable(QString("swap took %1 ms").arg(swapMs)));
    qInfo("map before %f..%f, after %f..%f", *std::min_element(before.begin(), before.end()), *std::max_element(before.begin(), before.end()), *std::min_element(after.begin(), after.end()), *std::max_element(after.begin(), after.end()));
    QVERIFY2(maxDifference(before, after) > 1e-4f, "the map did not change with the audio");
    QVERIFY(maxDifference(after, reference(model_, 5, *swapped, 0.25)) < 1e-4f);
    QVERIFY(loc.stats().cachedRegions >= regions);  // regions kept across the swap
  }

  void blendsBetweenComputedFrames() {
    engine::Localizer loc(std::make_unique<SyntheticFrames>(), std::make_unique<engine::MapModel>(modelDir_, nn::DeviceChoice::Cpu));
    loc.setSoundtrack(tone(440, "original", true));
    loc.setPlayhead(0.0, false);
    engine::HeatMap m0, m1;
    QVERIFY(waitForMapAt(loc, 0.0, 20000, &m0));
    QVERIFY(waitForMapAt(loc, 0.05, 20000, &m1));
    const engine::MapAt mid = loc.mapAt(0.025);
    QVERIFY(mid.valid);
    // Half way between frames 0 and 1 the two maps are blended half and half.
    QVERIFY(std::abs(mid.blend - 0.5f) < 1e-3f);
    QCOMPARE(mid.beforeTime, 0.0);
    QCOMPARE(mid.afterTime, 0.05);
  }

  void badModelsAreClearErrors() {
    const auto empty = test::freshTempDir("no-model");
    QVERIFY_THROWS_EXCEPTION(Error, engine::MapModel(empty, nn::DeviceChoice::Cpu));
    if (!nn::cudaAvailable()) QVERIFY_THROWS_EXCEPTION(Error, engine::MapModel(modelDir_, nn::DeviceChoice::Cuda));
    QCOMPARE(engine::parseAudioSpec("a.mp4@2.5").second, 2.5);
    QCOMPARE(engine::parseAudioSpec("a.mp4").first, std::string("a.mp4"));
    QVERIFY_THROWS_EXCEPTION(UsageError, engine::parseAudioSpec("a.mp4@x"));
  }
};
SOUNDSPOT_TEST(TestLocalizer)
#include "test_localizer.moc"
