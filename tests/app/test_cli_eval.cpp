// `soundspot-cli eval` on a tiny generated dataset with an untrained tiny
// AVOL-Net: the report has every key in range, and the nDCG it reports is
// recomputed here, independently, from the --dump files.
#include "core/common/AtomicFile.h"
#include "core/common/Npy.h"
#include "core/data/AssetPack.h"
#include "core/nn/Model.h"
#include "tests/core/data/test_scene_fixture.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace soundspot;
using nlohmann::json;

namespace {

// A crash reads as exit code -1.
test::ProcessResult runEval(const QStringList& args) {
  test::ProcessResult r = test::runCli(QStringList{"eval"} + args, 600000);
  if (r.crashed) r.exitCode = -1;
  return r;
}

QString qs(const std::filesystem::path& p) { return QString::fromStdString(p.string()); }

// Four labelled test clips (two violins, a dog, a cat) with one annotated
// instant each: the sounding object on the left, a silent one on the right.
std::filesystem::path makeEvalDataset() {
  const auto dir = test::freshTempDir("eval-data");
  std::filesystem::create_directories(dir / "clips");
  const std::vector<std::pair<std::string, std::string>> clips = {
      {"v1", "Violin, fiddle"}, {"d1", "Dog"}, {"v2", "Violin, fiddle"}, {"c1", "Cat"}};
  json list = json::array();
  double tone = 600;
  for (const auto& [id, label] : clips) {
    test::makeIndexedClip(dir / "clips" / (id + ".mp4"), 2.5, 10, 96, 64, 48000, tone);
    tone += 900;
    list.push_back({{"id", id},
                    {"media", "clips/" + id + ".mp4"},
                    {"split", "test"},
                    {"labels", {label}},
                    {"annotations",
                     {{{"time", 1.2},
                       {"sounding", {{{"label", label}, {"box", {0.05, 0.1, 0.45, 0.9}}}}},
                       {"silent", {{{"label", "Guitar"}, {"box", {0.55, 0.1, 0.95, 0.9}}}}}}}}});
  }
  writeFileAtomically(dir / "dataset.json", json{{"format", "soundspot-dataset/1"}, {"clips", list}}.dump(2));
  return dir;
}

std::filesystem::path makeTinyModel(uint64_t seed = 3) {
  const auto dir = test::freshTempDir("eval-model") / "avol-tiny";
  torch::manual_seed(seed);
  nn::Model m = nn::makeModel(nn::NetConfig{nn::Arch::Avol, 8, 128});
  nn::saveModel(m, dir);
  return dir;
}

// Textbook nDCG@k: candidates j != i ranked by descending dot product (ties by
// index), gain rel / log2(rank + 1), normalised by the ideal ordering; queries
// with no relevant candidate are left out.
double referenceNdcg(const NpyArray& q, const NpyArray& c, const NpyArray& rel, int k) {
  const int64_t n = q.shape[0], d = q.shape[1];
  double sum = 0;
  int used = 0;
  for (int64_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, int64_t>> ranked;
    std::vector<double> gains;
    for (int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double s = 0;
      for (int64_t x = 0; x < d; ++x) s += double(q.data[i * d + x]) * c.data[j * d + x];
      ranked.push_back({s, j});
      gains.push_back(rel.data[i * n + j]);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::sort(gains.begin(), gains.end(), std::greater<double>());
    double dcg = 0, ideal = 0;
    for (size_t r = 0; r < ranked.size() && r < static_cast<size_t>(k); ++r) {
      dcg += rel.data[i * n + ranked[r].second] / std::log2(r + 2.0);
      ideal += gains[r] / std::log2(r + 2.0);
    }
    if (ideal <= 0) continue;
    sum += dcg / ideal;
    ++used;
  }
  return sum / used;
}

bool inUnit(const json& v) { return v.is_number() && v.get<double>() >= 0 && v.get<double>() <= 1; }

}  // namespace

class TestCliEval : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void reportAndDumpAgree() {
    const auto data = makeEvalDataset();
    const auto model = makeTinyModel();
    const auto out = test::freshTempDir("eval-out");
    const test::ProcessResult r = runEval({"--model", qs(model), "--data", qs(data), "--split", "test", "--json",
                               qs(out / "report.json"), "--dump", qs(out / "dump"), "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    const json rep = json::parse(r.out);
    QCOMPARE(json::parse(readFile(out / "report.json")), rep);
    QCOMPARE(rep["clips"].get<int>(), 4);
    QCOMPARE(rep["instants"].get<int>(), 4);
    QVERIFY(inUnit(rep["avc_accuracy"]));
    QCOMPARE(rep["avc_pairs"].get<int>() % 2, 0);
    for (const char* dir : {"im-im", "im-aud", "aud-im", "aud-aud"}) QVERIFY2(inUnit(rep["ndcg30"][dir]), dir);
    QVERIFY(inUnit(rep["ndcg30_random"]));
    const json& loc = rep["localization"];
    for (const char* key : {"pointing_accuracy", "center_baseline", "object_baseline", "peak_on_silent_object",
                            "peak_on_background", "ciou50", "auc", "mismatch_auroc", "mismatch_auroc_untrained"})
      QVERIFY2(inUnit(loc[key]), key);
    // Every peak falls somewhere: on the sounding object, a silent one or the background.
    QVERIFY(std::abs(loc["pointing_accuracy"].get<double>() + loc["peak_on_silent_object"].get<double>() +
                     loc["peak_on_background"].get<double>() - 1) < 1e-9);
    // Per sounding label: one sounding object per instant, so the classes share
    // out the instants and the hits exactly.
    int64_t classInstants = 0;
    double classHits = 0;
    for (const auto& [label, entry] : loc["per_class"].items()) {
      QVERIFY2(inUnit(entry["pointing_accuracy"]), label.c_str());
      classInstants += entry["instants"].get<int64_t>();
      classHits += entry["pointing_accuracy"].get<double>() * entry["instants"].get<double>();
    }
    QCOMPARE(loc["per_class"].size(), size_t{3});  // violin, dog, cat
    QCOMPARE(classInstants, rep["instants"].get<int64_t>());
    QVERIFY(std::abs(classHits - loc["pointing_accuracy"].get<double>() * classInstants) < 1e-9);
    const json& interval = loc["pointing_interval95_by_class"];
    QVERIFY(interval.is_array() && interval.size() == 2);
    QVERIFY(interval[0].get<double>() <= loc["pointing_accuracy"].get<double>() + 1e-12);
    QVERIFY(interval[1].get<double>() >= loc["pointing_accuracy"].get<double>() - 1e-12);
    // One sounding and one silent object per instant; the centre lies in neither box.
    QCOMPARE(loc["object_baseline"].get<double>(), 0.5);
    QCOMPARE(loc["center_baseline"].get<double>(), 0.0);

    const NpyArray im = readNpy(out / "dump" / "emb_image.npy"), au = readNpy(out / "dump" / "emb_audio.npy");
    const NpyArray rel = readNpy(out / "dump" / "relevance.npy");
    QCOMPARE(im.shape, (std::vector<int64_t>{4, 128}));
    QCOMPARE(au.shape, (std::vector<int64_t>{4, 128}));
    QCOMPARE(rel.shape, (std::vector<int64_t>{4, 4}));
    const json ids = json::parse(readFile(out / "dump" / "ids.json"));
    QCOMPARE(ids, (json{"v1", "d1", "v2", "c1"}));
    // Same label is more relevant than another animal or instrument.
    QVERIFY(rel.data[0 * 4 + 2] > rel.data[0 * 4 + 1]);
    QVERIFY(rel.data[0 * 4 + 2] > rel.data[0 * 4 + 3]);
    const struct { const char* key; const NpyArray &q, &c; } dirs[] = {
        {"im-im", im, im}, {"im-aud", im, au}, {"aud-im", au, im}, {"aud-aud", au, au}};
    for (const auto& d : dirs) {
      const double expected = referenceNdcg(d.q, d.c, rel, 30);
      QVERIFY2(std::abs(rep["ndcg30"][d.key].get<double>() - expected) < 1e-4, d.key);
    }
  }
  // The same model twice is an ensemble whose logits are that model's: the
  // same figures, and the report names both members. A member of another
  // architecture is refused with exit code 1 and the reason (that the error
  // names both architectures is checked in TestEnsembleNetwork).
  void ensembleOfOneModelTwiceMatchesIt() {
    const auto data = makeEvalDataset();
    const auto model = makeTinyModel();
    const QStringList common{"--data", qs(data), "--split", "test", "--device", "cpu", "--no-untrained"};
    const test::ProcessResult single = runEval(QStringList{"--model", qs(model)} + common);
    QVERIFY2(single.exitCode == 0, single.err.c_str());
    const test::ProcessResult twice = runEval(QStringList{"--model", qs(model), "--model", qs(model)} + common);
    QVERIFY2(twice.exitCode == 0, twice.err.c_str());
    const json one = json::parse(single.out), two = json::parse(twice.out);
    QVERIFY(!one.contains("ensemble"));
    QCOMPARE(two["ensemble"].size(), size_t{2});
    for (const char* key : {"pointing_accuracy", "peak_on_background", "ciou50", "mismatch_auroc"})
      QVERIFY2(std::abs(one["localization"][key].get<double>() - two["localization"][key].get<double>()) < 1e-6, key);
    QCOMPARE(two["avc_accuracy"].get<double>(), one["avc_accuracy"].get<double>());

    const auto ave = test::freshTempDir("eval-model") / "ave-tiny";
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Ave, 8, 128}), ave);
    const test::ProcessResult mixed = runEval(QStringList{"--model", qs(model), "--model", qs(ave)} + common);
    QCOMPARE(mixed.exitCode, 1);
    QVERIFY2(mixed.err.find("different architectures") != std::string::npos, mixed.err.c_str());
  }
  // `soundspot-cli ensemble` makes one model folder of two AVOL-Nets; eval
  // of that folder gives exactly the figures of `eval --model A --model B`,
  // and `localize` takes it like any model. Bad members exit non-zero,
  // naming the folder, and leave no output behind.
  void ensembleFolderEvaluatesAsItsMembers() {
    const auto data = makeEvalDataset();
    const auto a = makeTinyModel(3), b = makeTinyModel(4);
    const auto ens = test::freshTempDir("eval-model") / "ens";
    const test::ProcessResult made = test::runCli({"ensemble", "--model", qs(a), "--model", qs(b), "--out", qs(ens)});
    QVERIFY2(made.exitCode == 0, made.err.c_str());
    QVERIFY(std::filesystem::exists(ens / "members" / "2-avol-tiny" / "head.safetensors"));
    const QStringList common{"--data", qs(data), "--split", "test", "--device", "cpu", "--no-untrained"};
    const test::ProcessResult folder = runEval(QStringList{"--model", qs(ens)} + common);
    QVERIFY2(folder.exitCode == 0, folder.err.c_str());
    const test::ProcessResult pair = runEval(QStringList{"--model", qs(a), "--model", qs(b)} + common);
    QVERIFY2(pair.exitCode == 0, pair.err.c_str());
    const test::ProcessResult first = runEval(QStringList{"--model", qs(a)} + common);
    QVERIFY2(first.exitCode == 0, first.err.c_str());
    const json f = json::parse(folder.out), p = json::parse(pair.out), one = json::parse(first.out);
    QCOMPARE(f["avc_accuracy"].get<double>(), p["avc_accuracy"].get<double>());
    for (const char* key : {"pointing_accuracy", "peak_on_background", "ciou50", "mismatch_auroc"})
      QVERIFY2(std::abs(f["localization"][key].get<double>() - p["localization"][key].get<double>()) < 1e-9, key);
    for (const char* key : {"im-im", "im-aud", "aud-im", "aud-aud"})
      QVERIFY2(std::abs(f["ndcg30"][key].get<double>() - p["ndcg30"][key].get<double>()) < 1e-9, key);
    // Not simply its first member.
    bool differs = false;
    for (const char* key : {"im-im", "im-aud", "aud-im", "aud-aud"})
      differs = differs || std::abs(f["ndcg30"][key].get<double>() - one["ndcg30"][key].get<double>()) > 1e-9;
    QVERIFY(differs);

    const auto clip = test::freshTempDir("eval-model") / "clip.mp4";
    test::makeIndexedClip(clip, 2.0, 10, 96, 64, 48000, 700);
    const auto overlay = test::freshTempDir("eval-model") / "overlay.mp4";
    const test::ProcessResult loc = test::runCli({"localize", qs(clip), "--model", qs(ens), "--out", qs(overlay), "--device", "cpu"});
    QVERIFY2(loc.exitCode == 0, loc.err.c_str());
    QVERIFY(std::filesystem::file_size(overlay) > 1000);

    const auto ave = test::freshTempDir("eval-model") / "ave-tiny";
    nn::saveModel(nn::makeModel(nn::NetConfig{nn::Arch::Ave, 8, 128}), ave);
    const auto refused = test::freshTempDir("eval-model") / "refused";
    const test::ProcessResult mixed = test::runCli({"ensemble", "--model", qs(a), "--model", qs(ave), "--out", qs(refused)});
    QCOMPARE(mixed.exitCode, 1);
    QVERIFY2(mixed.err.find("ave-tiny") != std::string::npos && mixed.err.find("AVOL-Net") != std::string::npos,
             mixed.err.c_str());
    QVERIFY(!std::filesystem::exists(refused));
    const test::ProcessResult missing = test::runCli({"ensemble", "--model", qs(a / "nope"), "--out", qs(refused)});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.find("nope") != std::string::npos, missing.err.c_str());
    // --out is replaced whole: a folder holding a member, or one that is not
    // a model folder, is refused and left as it was.
    const auto inner = ens / "members" / "1-avol-tiny";
    const test::ProcessResult over = test::runCli({"ensemble", "--model", qs(inner), "--out", qs(ens)});
    QCOMPARE(over.exitCode, 2);
    QVERIFY2(over.err.find("holds the member") != std::string::npos, over.err.c_str());
    QVERIFY(std::filesystem::exists(inner / "card.json"));
    const test::ProcessResult notModel = test::runCli({"ensemble", "--model", qs(a), "--out", qs(data)});
    QCOMPARE(notModel.exitCode, 2);
    QVERIFY2(notModel.err.find("not a model folder") != std::string::npos, notModel.err.c_str());
    QVERIFY(std::filesystem::exists(data / "dataset.json"));
    // --scenes fits the members' weights and a bias on the pack's validation
    // pairs; the card records them and what they were fitted on.
    const auto pack = test::freshTempDir("eval-model") / "fixture.sspack";
    data::writeAssetPack(test::sceneFixturePack(), pack);
    const auto fitted = test::freshTempDir("eval-model") / "fitted";
    const test::ProcessResult fit = test::runCli(
        {"ensemble", "--model", qs(a), "--model", qs(b), "--out", qs(fitted), "--scenes", qs(pack), "--pairs", "32"});
    QVERIFY2(fit.exitCode == 0, fit.err.c_str());
    const json fittedCard = json::parse(readFile(fitted / "card.json"));
    QCOMPARE(fittedCard["ensemble"]["weights"].size(), size_t{2});
    QCOMPARE(fittedCard["ensemble"]["fit"]["pairs"].get<int>(), 32);
    QCOMPARE(fittedCard["ensemble"]["fit"]["split"].get<std::string>(), std::string("val"));
    const test::ProcessResult fittedEval = runEval(QStringList{"--model", qs(fitted)} + common);
    QVERIFY2(fittedEval.exitCode == 0, fittedEval.err.c_str());
    const auto noFit = test::freshTempDir("eval-model") / "no-fit";
    const test::ProcessResult badPack = test::runCli(
        {"ensemble", "--model", qs(a), "--model", qs(b), "--out", qs(noFit), "--scenes", qs(pack.parent_path() / "none.sspack")});
    QVERIFY(badPack.exitCode != 0);
    QVERIFY2(badPack.err.find("none.sspack") != std::string::npos, badPack.err.c_str());
    QVERIFY(!std::filesystem::exists(noFit));
    // Over an existing ensemble (a model folder) it is replaced.
    const test::ProcessResult again = test::runCli({"ensemble", "--model", qs(b), "--out", qs(ens)});
    QVERIFY2(again.exitCode == 0, again.err.c_str());
    QVERIFY(!std::filesystem::exists(ens / "members" / "2-avol-tiny"));
  }
  void badInputsFailWithOneLine() {
    const auto model = makeTinyModel();
    const auto data = makeEvalDataset();
    test::ProcessResult r = runEval({"--model", qs(data / "nope"), "--data", qs(data)});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.find("nope") != std::string::npos);
    writeFileAtomically(data / "dataset.json", R"({"format": "soundspot-dataset/1", "clips": [{"id": "x"}]})");
    r = runEval({"--model", qs(model), "--data", qs(data), "--device", "cpu"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.find("dataset.json") != std::string::npos && r.err.find("media") != std::string::npos,
             r.err.c_str());
  }
};
SOUNDSPOT_TEST(TestCliEval)
#include "test_cli_eval.moc"
