// Shapes of every network and parameter counts against the paper's layer
// list, counted here by hand: a 3x3 conv followed by BatchNorm has no bias
// (k*k*cin*cout), a BatchNorm has 2*c parameters (plus running stats as
// buffers), a linear/1x1 conv layer has cin*cout + cout.
#include "core/common/Error.h"
#include "core/nn/AveNet.h"
#include "core/nn/AvolNet.h"
#include "core/nn/CohortNormalisation.h"
#include "core/nn/L3Net.h"
#include "core/nn/Preprocess.h"
#include "tests/support/TestRegistry.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cstdlib>
#include <fstream>
#include <vector>

using namespace soundspot;

namespace {

int64_t countParameters(torch::nn::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// Fig. 2a/b: conv1_1 .. conv4_2, channels w,w | 2w,2w | 4w,4w | 8w,8w.
int64_t towerParameters(int64_t cin, int64_t w) {
  const std::vector<std::pair<int64_t, int64_t>> convs = {{cin, w},       {w, w},         {w, 2 * w},     {2 * w, 2 * w},
                                                          {2 * w, 4 * w}, {4 * w, 4 * w}, {4 * w, 8 * w}, {8 * w, 8 * w}};
  int64_t n = 0;
  for (const auto& [in, out] : convs) n += 3 * 3 * in * out + 2 * out;
  return n;
}

int64_t linear(int64_t in, int64_t out) { return in * out + out; }

}  // namespace

class TestNetworks : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(0); }

  void towerShapes() {
    torch::NoGradGuard g;
    nn::VisionNet vision(8);
    nn::AudioNet audio(8);
    vision->eval();
    audio->eval();
    QCOMPARE(vision->forward(torch::randn({2, 3, 224, 224})).sizes().vec(), (std::vector<int64_t>{2, 64, 14, 14}));
    QCOMPARE(audio->forward(torch::randn({2, 1, 257, 200})).sizes().vec(), (std::vector<int64_t>{2, 64, 16, 12}));
  }

  void paperParameterCounts() {
    // The paper's width: vision tower 4.69 M (4,683,456 conv + 3,840 BatchNorm) parameters.
    nn::VisionNet vision(64);
    nn::AudioNet audio(64);
    QCOMPARE(countParameters(*vision), towerParameters(3, 64));
    QCOMPARE(countParameters(*audio), towerParameters(1, 64));
    QCOMPARE(towerParameters(3, 64), int64_t{4687296});
    nn::AveNet ave(64);
    QCOMPARE(countParameters(*ave), towerParameters(3, 64) + towerParameters(1, 64) + 2 * (linear(512, 128) + linear(128, 128)) + linear(1, 2));
    nn::AvolNet avol(64);
    QCOMPARE(countParameters(*avol), towerParameters(3, 64) + towerParameters(1, 64) + 2 * (linear(512, 128) + linear(128, 128)) + linear(1, 1));
    nn::L3Net l3(64);
    QCOMPARE(countParameters(*l3), towerParameters(3, 64) + towerParameters(1, 64) + linear(1024, 128) + linear(128, 2));
  }

  void aveNet() {
    torch::NoGradGuard g;
    nn::AveNet net(8);
    net->eval();
    const auto img = torch::randn({3, 3, 224, 224}), spec = torch::randn({3, 1, 257, 200});
    const auto ie = net->imageEmbedding(img), ae = net->audioEmbedding(spec);
    QCOMPARE(ie.sizes().vec(), (std::vector<int64_t>{3, 128}));
    QVERIFY(torch::allclose(ie.norm(2, 1), torch::ones({3}), 1e-4, 1e-5));
    QVERIFY(torch::allclose(ae.norm(2, 1), torch::ones({3}), 1e-4, 1e-5));
    QCOMPARE(net->forward(img, spec).sizes().vec(), (std::vector<int64_t>{3, 2}));
    // Appendix B: identical embeddings (distance 0) favour "corresponds",
    // opposite ones (distance 2) favour "no correspondence".
    const auto e = ie.slice(0, 0, 1);
    const auto same = net->logitsFromEmbeddings(e, e), opposite = net->logitsFromEmbeddings(e, -e);
    QVERIFY(same[0][1].item<float>() > same[0][0].item<float>());
    QVERIFY(opposite[0][1].item<float>() < opposite[0][0].item<float>());
  }

  void avolNet() {
    torch::NoGradGuard g;
    nn::AvolNet net(8);
    net->eval();
    const auto img = torch::randn({2, 3, 224, 224}), spec = torch::randn({2, 1, 257, 200});
    const auto regions = net->visualRegions(img);
    QCOMPARE(regions.sizes().vec(), (std::vector<int64_t>{2, 128, 14, 14}));
    const auto audio = net->audioEmbedding(spec);
    QCOMPARE(audio.sizes().vec(), (std::vector<int64_t>{2, 128}));
    const auto out = net->forward(img, spec);
    QCOMPARE(out.map.sizes().vec(), (std::vector<int64_t>{2, 14, 14}));
    QCOMPARE(out.logit.sizes().vec(), (std::vector<int64_t>{2}));
    // Independent reference: the dot product at one position, calibrated.
    const float a = net->calibration->weight.item<float>(), b = net->calibration->bias.item<float>();
    const float dot = (regions[1].select(1, 5).select(1, 7) * audio[1]).sum().item<float>();
    QVERIFY(std::abs(net->mapLogits(regions, audio)[1][5][7].item<float>() - (a * dot + b)) < 1e-3f * (1 + std::abs(dot)));
    QVERIFY(std::abs(out.logit[0].item<float>() - torch::logit(out.map[0]).max().item<float>()) < 1e-2f);
  }

  // The cohort-normalisation experiment (CohortNormalisation.h): off by
  // default, each mode does what it says, bad settings are named.
  void cohortNormalisationModes() {
    torch::NoGradGuard g;
    namespace F = torch::nn::functional;
    auto unset = [] {
      for (const char* v : {"SOUNDSPOT_COHORT_NORM", "SOUNDSPOT_AUDIO_COHORT", "SOUNDSPOT_FRAME_COHORT"}) ::unsetenv(v);
    };
    unset();
    const auto cleanUp = qScopeGuard(unset);  // also when a check fails: later tests build networks
    QVERIFY(!nn::CohortNormalisation::fromEnvironment());
    QVERIFY(!nn::AvolNet(8, 128, true, nn::Tower::Compact)->cohortNormalisation);

    const auto regions = F::normalize(torch::randn({2, 128, 14, 14}), F::NormalizeFuncOptions().dim(1));
    const auto audio = F::normalize(torch::randn({2, 128}), F::NormalizeFuncOptions().dim(1));
    const auto s = (regions * audio.unsqueeze(-1).unsqueeze(-1)).sum(1, true);
    QTemporaryDir dir;
    const auto cohortFile = dir.filePath("audio.f32").toStdString();
    const auto cohort = F::normalize(torch::randn({20, 128}), F::NormalizeFuncOptions().dim(1)).contiguous();
    std::ofstream(cohortFile, std::ios::binary).write(reinterpret_cast<const char*>(cohort.data_ptr<float>()), cohort.numel() * 4);
    ::setenv("SOUNDSPOT_AUDIO_COHORT", cohortFile.c_str(), 1);

    ::setenv("SOUNDSPOT_COHORT_NORM", "map-mean", 1);
    auto out = nn::CohortNormalisation::fromEnvironment()->apply(s, regions, audio);
    QVERIFY((out.mean({2, 3}) - 0.5).abs().max().item<float>() < 1e-5f);
    QVERIFY(((out - s) - (out - s).flatten(1).select(1, 0).view({2, 1, 1, 1})).abs().max().item<float>() < 1e-5f);

    ::setenv("SOUNDSPOT_COHORT_NORM", "region-mean", 1);
    out = nn::CohortNormalisation::fromEnvironment()->apply(s, regions, audio);
    // Region (3, 4) of frame 1: its similarity less its mean over the 20 cohort sounds.
    const auto region = regions[1].select(1, 3).select(1, 4);
    const float expected = s[1][0][3][4].item<float>() - torch::mv(cohort, region).mean().item<float>() + 0.5f;
    QVERIFY(std::abs(out[1][0][3][4].item<float>() - expected) < 1e-5f);

    // The network applies it at inference only.
    nn::AvolNet net(8, 128, true, nn::Tower::Compact);  // takes the environment's
    QVERIFY(net->cohortNormalisation);
    net->eval();
    const auto normalised = net->mapLogits(regions, audio);
    const auto normalisation = net->cohortNormalisation;
    net->cohortNormalisation = nullptr;
    const auto before = net->mapLogits(regions, audio);
    QVERIFY((normalised - before).abs().max().item<float>() > 1e-3f);
    net->cohortNormalisation = normalisation;
    QVERIFY((net->mapLogits(regions, audio) - before).abs().max().item<float>() > 1e-3f);
    net->train();
    QVERIFY((net->mapLogits(regions, audio) - before).abs().max().item<float>() < 1e-5f);

    ::setenv("SOUNDSPOT_COHORT_NORM", "audio-z", 1);
    ::setenv("SOUNDSPOT_FRAME_COHORT", cohortFile.c_str(), 1);  // 20 x 128 floats: not rows of 128 x 196
    try {
      nn::CohortNormalisation::fromEnvironment();
      QFAIL("a cohort file of the wrong size was taken");
    } catch (const Error& e) {
      QVERIFY(std::string(e.what()).find("audio.f32") != std::string::npos);
    }
    ::setenv("SOUNDSPOT_COHORT_NORM", "z", 1);
    QVERIFY_THROWS_EXCEPTION(Error, nn::CohortNormalisation::fromEnvironment());
  }

  void flipAverageIsMirrorSymmetric() {
    torch::NoGradGuard g;
    for (bool cosine : {false, true}) {
      nn::AvolNet net(8, 128, cosine, nn::Tower::Compact);
      net->eval();
      net->flipAverage = false;  // whatever SOUNDSPOT_FLIP_AVERAGE says
      const auto img = torch::randn({1, 3, 224, 224});
      const auto plain = net->visualRegions(img);
      // A network is not mirror-symmetric by itself...
      QVERIFY((net->visualRegions(img.flip({3})).flip({3}) - plain).abs().max().item<float>() > 1e-3f);
      net->flipAverage = true;
      const auto averaged = net->visualRegions(img);
      // ...the average is: the mirrored frame gives the mirrored regions.
      QVERIFY((net->visualRegions(img.flip({3})).flip({3}) - averaged).abs().max().item<float>() < 1e-4f);
      QVERIFY((averaged - plain).abs().max().item<float>() > 1e-3f);
      net->train();  // training never averages
      net->vision->eval();  // keep BatchNorm on its running statistics to compare
      QVERIFY((net->visualRegions(img) - plain).abs().max().item<float>() < 1e-5f);
    }
  }

  void l3Net() {
    torch::NoGradGuard g;
    nn::L3Net net(8);
    net->eval();
    const auto img = torch::randn({2, 3, 224, 224}), spec = torch::randn({2, 1, 257, 200});
    QCOMPARE(net->forward(img, spec).sizes().vec(), (std::vector<int64_t>{2, 2}));
    QCOMPARE(net->features(img, spec).sizes().vec(), (std::vector<int64_t>{2, 128}));
  }

  void preprocess() {
    // A uniform 640x360 frame stays uniform after resizing; the value is
    // normalised with the recorded mean/std.
    std::vector<uint8_t> rgb(640 * 360 * 3);
    for (size_t i = 0; i < rgb.size(); i += 3) {
      rgb[i] = 255;
      rgb[i + 1] = 0;
      rgb[i + 2] = 51;
    }
    const auto t = nn::imageTensor(rgb.data(), 640, 360);
    QCOMPARE(t.sizes().vec(), (std::vector<int64_t>{1, 3, 224, 224}));
    QVERIFY(std::abs(t[0][0][100][50].item<float>() - (1.0f - 0.485f) / 0.229f) < 1e-4f);
    QVERIFY(std::abs(t[0][1][3][200].item<float>() - (0.0f - 0.456f) / 0.224f) < 1e-4f);
    QVERIFY(std::abs(t[0][2][223][0].item<float>() - (0.2f - 0.406f) / 0.225f) < 1e-4f);
    // A left/right split image keeps its halves in place.
    std::vector<uint8_t> split(448 * 224 * 3, 0);
    for (int y = 0; y < 224; ++y)
      for (int x = 224; x < 448; ++x) split[(y * 448 + x) * 3] = 255;
    const auto s = nn::imageTensor(split.data(), 448, 224);
    QVERIFY(s[0][0][10][10].item<float>() < 0);
    QVERIFY(s[0][0][10][200].item<float>() > 2);
    std::vector<float> spec(257 * 200);
    for (size_t i = 0; i < spec.size(); ++i) spec[i] = static_cast<float>(i % 1000);
    const auto a = nn::audioTensor(spec.data());
    QCOMPARE(a.sizes().vec(), (std::vector<int64_t>{1, 1, 257, 200}));
    QCOMPARE(a[0][0][3][7].item<float>(), static_cast<float>((3 * 200 + 7) % 1000));
  }
};

SOUNDSPOT_TEST(TestNetworks)
#include "test_networks.moc"
