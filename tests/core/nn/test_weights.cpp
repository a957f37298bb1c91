// Model folders: round trip (bit-exact in F32, close in F16), the
// safetensors layout checked byte by byte, and every kind of damage rejected
// with an Error naming the file.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/nn/Model.h"
#include "core/nn/ModelFolder.h"
#include "core/nn/Safetensors.h"
#include "tests/support/ExpectError.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <cstring>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

nn::Model trainedLikeModel(nn::Arch arch) {
  torch::manual_seed(3);
  auto m = nn::makeModel({arch, 4, 128});
  // Non-default BatchNorm statistics, so that the buffers are checked too.
  m.module()->train();
  torch::NoGradGuard g;
  if (m.avol) m.avol->forward(torch::randn({2, 3, 224, 224}) * 3 + 1, torch::randn({2, 1, 257, 200}));
  if (m.ave) m.ave->forward(torch::randn({2, 3, 224, 224}) * 3 + 1, torch::randn({2, 1, 257, 200}));
  if (m.l3) m.l3->forward(torch::randn({2, 3, 224, 224}) * 3 + 1, torch::randn({2, 1, 257, 200}));
  m.module()->eval();
  return m;
}

using test::expectError;

// Rewrites one weights file through a JSON-header edit.
void editHeader(const fs::path& file, const std::function<void(nlohmann::json&)>& edit, bool keepData = true) {
  const std::string bytes = readFile(file);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  edit(header);
  const std::string h = header.dump();
  std::string out(8, '\0');
  const uint64_t len = h.size();
  std::memcpy(out.data(), &len, 8);
  out += h;
  if (keepData) out += bytes.substr(8 + n);
  writeFileAtomically(file, out);
}

}  // namespace

class TestWeights : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTripEveryArch() {
    for (auto arch : {nn::Arch::Avol, nn::Arch::Ave, nn::Arch::L3}) {
      const auto dir = test::freshTempDir("weights") / "model";
      auto m = trainedLikeModel(arch);
      m.card = {{"recipe", {{"objective", "avc"}}}};
      nn::saveModel(m, dir, nn::WeightsPrecision::F32);
      for (const auto& part : nn::weightsParts()) QVERIFY(fs::file_size(dir / nn::weightsFileName(part)) < nn::kMaxWeightsFileBytes);
      const auto loaded = nn::loadModel(dir, "cpu");
      QVERIFY(loaded.config.arch == arch);
      QCOMPARE(loaded.config.width, 4);
      QCOMPARE(loaded.card["recipe"]["objective"].get<std::string>(), std::string("avc"));
      QVERIFY(!loaded.module()->is_training());
      auto a = m.module()->named_parameters(true);
      auto b = loaded.module()->named_parameters(true);
      QCOMPARE(a.size(), b.size());
      for (const auto& p : a) QVERIFY2(torch::equal(p.value(), b[p.key()]), p.key().c_str());
      auto ab = m.module()->named_buffers(true);
      auto bb = loaded.module()->named_buffers(true);
      for (const auto& p : ab) QVERIFY2(torch::equal(p.value(), bb[p.key()]), p.key().c_str());
    }
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), dir);
    QVERIFY(nn::avolNet(nn::loadModel(dir, "cpu")));
    QVERIFY(!nn::aveNet(nn::loadModel(dir, "cpu")));
  }

  void f16IsCloseAndPaperWidthFitsUnder16MiB() {
    const auto dir = test::freshTempDir("weights") / "paper";
    torch::manual_seed(1);
    auto m = nn::makeModel({nn::Arch::Avol, 64, 128});
    nn::saveModel(m, dir);  // Auto: the 18 MB vision tower goes to F16
    for (const auto& part : nn::weightsParts()) QVERIFY(fs::file_size(dir / nn::weightsFileName(part)) < nn::kMaxWeightsFileBytes);
    const auto loaded = nn::loadModel(dir, "cpu");
    const torch::Tensor w = m.avol->vision->named_parameters()["layers.block4b_conv.weight"];
    const torch::Tensor v = loaded.avol->vision->named_parameters()["layers.block4b_conv.weight"];
    QVERIFY(!torch::equal(w, v));
    QVERIFY(torch::allclose(w, v, 1e-3, 1e-5));
  }

  void layoutIsSafetensors() {
    // An independent parse of the layout: u64 LE header size, JSON, data.
    const auto dir = test::freshTempDir("weights");
    const auto t = torch::tensor({1.5f, -2.0f, 3.25f}).view({3, 1});
    nn::writeSafetensors(dir / "a.safetensors", {{"x", t}, {"n", torch::tensor({int64_t{7}})}}, {{"arch", "avol"}}, nn::StoredFloat::F32);
    const std::string bytes = readFile(dir / "a.safetensors");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
    QCOMPARE((8 + n) % 8, uint64_t{0});
    const auto h = nlohmann::json::parse(bytes.substr(8, n));
    QCOMPARE(h["__metadata__"]["arch"].get<std::string>(), std::string("avol"));
    QCOMPARE(h["x"]["dtype"].get<std::string>(), std::string("F32"));
    QCOMPARE(h["x"]["shape"], nlohmann::json::parse("[3,1]"));
    QCOMPARE(h["n"]["dtype"].get<std::string>(), std::string("I64"));
    const auto off = h["x"]["data_offsets"];
    float f[3];
    std::memcpy(f, bytes.data() + 8 + n + off[0].get<size_t>(), 12);
    QCOMPARE(f[0], 1.5f);
    QCOMPARE(f[2], 3.25f);
    QCOMPARE(bytes.size(), 8 + n + 12 + 8);
    // F16: 1.5 is 0x3E00.
    nn::writeSafetensors(dir / "h.safetensors", {{"x", t}}, {}, nn::StoredFloat::F16);
    const auto c = nn::readSafetensors(dir / "h.safetensors");
    QCOMPARE(c.tensors.at("x").scalar_type(), torch::kHalf);
    QVERIFY(torch::equal(c.tensors.at("x").to(torch::kFloat), t));
  }

  void truncatedIsRejected() {
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Ave), dir, nn::WeightsPrecision::F32);
    const auto file = dir / "vision.safetensors";
    auto bytes = readFile(file);
    bytes.resize(bytes.size() - 100);
    writeFileAtomically(file, bytes);
    expectError([&] { nn::loadModel(dir, "cpu"); }, "vision.safetensors");
    expectError([&] { nn::loadModel(dir, "cpu"); }, "truncated");
    writeFileAtomically(file, bytes.substr(0, 5));
    expectError([&] { nn::loadModel(dir, "cpu"); }, "truncated");
  }

  void headerGarbageIsRejected() {
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Ave), dir, nn::WeightsPrecision::F32);
    auto bytes = readFile(dir / "audio.safetensors");
    for (int i = 8; i < 40; ++i) bytes[i] = '#';
    writeFileAtomically(dir / "audio.safetensors", bytes);
    expectError([&] { nn::loadModel(dir, "cpu"); }, "audio.safetensors: damaged weights file");
    // A huge header length (random bytes at the start).
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(0xA5);
    writeFileAtomically(dir / "audio.safetensors", bytes);
    expectError([&] { nn::loadModel(dir, "cpu"); }, "audio.safetensors");
  }

  void wrongShapeIsRejected() {
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), dir, nn::WeightsPrecision::F32);
    // Same byte count, other shape: only the shape check can catch it.
    editHeader(dir / "head.safetensors", [](nlohmann::json& h) {
      h["regionConv2.weight"]["shape"] = {64, 256, 1, 1};
    });
    expectError([&] { nn::loadModel(dir, "cpu"); }, "regionConv2.weight' has shape [64,256,1,1]");
  }

  // A shape whose element count overflows 64 bits would match an empty byte
  // range; it must be refused by name, never reach an allocation.
  void overflowingShapeIsRejected() {
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), dir, nn::WeightsPrecision::F32);
    editHeader(dir / "head.safetensors", [](nlohmann::json& h) {
      h["regionConv2.weight"]["shape"] = {4294967296ull, 4294967296ull, 1};
      h["regionConv2.weight"]["data_offsets"] = {0, 0};
    });
    expectError([&] { nn::loadModel(dir, "cpu"); }, "head.safetensors: damaged weights file: tensor 'regionConv2.weight' has a shape larger than the file");
  }

  void missingTensorIsRejected() {
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::L3), dir, nn::WeightsPrecision::F32);
    auto content = nn::readSafetensors(dir / "head.safetensors");
    content.tensors.erase("fc2.bias");
    std::vector<std::pair<std::string, torch::Tensor>> kept(content.tensors.begin(), content.tensors.end());
    nn::writeSafetensors(dir / "head.safetensors", kept, content.metadata, nn::StoredFloat::F32);
    expectError([&] { nn::loadModel(dir, "cpu"); }, "missing tensor 'fc2.bias'");
    fs::remove(dir / "audio.safetensors");
    expectError([&] { nn::loadModel(dir, "cpu"); }, "audio.safetensors: missing weights file");
  }

  void wrongArchIsRejected() {
    const auto a = test::freshTempDir("weights") / "a";
    const auto b = test::freshTempDir("weights") / "b";
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), a, nn::WeightsPrecision::F32);
    nn::saveModel(trainedLikeModel(nn::Arch::Ave), b, nn::WeightsPrecision::F32);
    fs::copy_file(b / "vision.safetensors", a / "vision.safetensors", fs::copy_options::overwrite_existing);
    expectError([&] { nn::loadModel(a, "cpu"); }, "vision.safetensors: holds weights of arch 'ave'");
    auto card = nlohmann::json::parse(readFile(b / "card.json"));
    card["arch"] = "resnet";
    writeFileAtomically(b / "card.json", card.dump());
    expectError([&] { nn::loadModel(b, "cpu"); }, "card.json");
    expectError([&] { nn::loadModel(b / "nothing", "cpu"); }, "no such model folder");
  }

  void implausibleCardNumbersAreErrors() {
    // Found by fuzz_model_folder: a float too large for an int used to reach
    // json's (undefined) conversion; every bad number is now a named error.
    const auto dir = test::freshTempDir("weights") / "m";
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), dir, nn::WeightsPrecision::F32);
    const auto good = nlohmann::json::parse(readFile(dir / "card.json"));
    for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
             {"embed_dim", 4.92234e19}, {"width", 1e30}, {"width", -3}, {"width", 16.5}, {"embed_dim", 0},
             {"width", nlohmann::json(uint64_t(1) << 63)}, {"embed_dim", "128"}}) {
      auto card = good;
      card[key] = value;
      writeFileAtomically(dir / "card.json", card.dump());
      expectError([&] { nn::loadModel(dir, "cpu"); }, "card.json");
    }
    writeFileAtomically(dir / "card.json", good.dump());
    QVERIFY(nn::loadModel(dir, "cpu").config.arch == nn::Arch::Avol);
  }

  void savingReplacesAtomically() {
    const auto root = test::freshTempDir("weights");
    nn::saveModel(trainedLikeModel(nn::Arch::Avol), root / "m");
    nn::saveModel(trainedLikeModel(nn::Arch::L3), root / "m");
    QVERIFY(nn::loadModel(root / "m", "cpu").config.arch == nn::Arch::L3);
    int entries = 0;
    for (const auto& e : fs::directory_iterator(root)) entries += e.exists() ? 1 : 0;
    QCOMPARE(entries, 1);  // no temporary folders left behind
  }
};

SOUNDSPOT_TEST(TestWeights)
#include "test_weights.moc"
