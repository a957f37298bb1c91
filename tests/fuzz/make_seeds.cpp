// Writes the seed corpora of the fuzz targets that SoundSpot's own writers
// can make (tests/fuzz/make-seeds.sh adds the media and runs this):
//   fuzz_make_seeds CORPUS_DIR
// Each corpus gets a few small valid files and the damaged variants the
// tests make (truncated, bit flips, edited headers). The output is
// deterministic (fixed seeds), so the committed corpus can be remade.
#include "core/common/AtomicFile.h"
#include "core/common/Npy.h"
#include "core/data/AssetPack.h"
#include "core/nn/Model.h"
#include "core/nn/ModelFolder.h"
#include "core/nn/Safetensors.h"
#include "core/retrieval/Index.h"
#include "tests/fuzz/FuzzSupport.h"
#include "tests/support/DatasetSamples.h"
#ifdef SOUNDSPOT_HAS_FFMPEG
#include "core/media/MediaWriter.h"
#endif

#include <cmath>
#include <cstring>
#include <iostream>

namespace fs = std::filesystem;
using namespace soundspot;
using nlohmann::json;

namespace {

fs::path gRoot;

void seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(gRoot / target);
  fuzz::writeBytes(gRoot / target / name, bytes);
}

std::string joinFiles(const std::vector<std::string>& files) {
  std::string out;
  for (size_t i = 0; i < files.size(); ++i) out += (i ? std::string(fuzz::kFileSeparator) : std::string()) + files[i];
  return out;
}

std::string flipped(std::string bytes, size_t at) {
  bytes[at % bytes.size()] ^= 0x10;
  return bytes;
}

// The safetensors layout with a JSON header edited (as tests/core/nn/test_weights.cpp does).
std::string editedSafetensors(const std::string& bytes, const std::function<void(json&)>& edit) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  json header = json::parse(bytes.substr(8, n));
  edit(header);
  const std::string h = header.dump();
  std::string out(8, '\0');
  const uint64_t len = h.size();
  std::memcpy(out.data(), &len, 8);
  return out + h + bytes.substr(8 + n);
}

void safetensorsSeeds() {
  torch::manual_seed(1);
  const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
      {"conv.weight", torch::randn({2, 1, 3, 3})},
      {"bn.running_mean", torch::randn({2})},
      {"bn.num_batches_tracked", torch::tensor({int64_t(7)})},
      {"index", torch::arange(5, torch::kInt)},
      {"mask", torch::ones({3}, torch::kByte)},
      {"scalar", torch::tensor(1.5f)},
      {"empty", torch::zeros({0, 4})}};
  const std::map<std::string, std::string> meta = {{"format", nn::kModelFormat}, {"arch", "avol"}, {"width", "1"}};
  const std::string f32 = nn::encodeSafetensors(tensors, meta, nn::StoredFloat::F32);
  seed("fuzz_safetensors", "f32.safetensors", f32);
  seed("fuzz_safetensors", "f16.safetensors", nn::encodeSafetensors(tensors, meta, nn::StoredFloat::F16));
  seed("fuzz_safetensors", "bf16.safetensors",
       nn::encodeSafetensors({{"w", torch::randn({3, 2}).to(torch::kBFloat16)}}, {}, nn::StoredFloat::F32));
  seed("fuzz_safetensors", "no-tensors.safetensors", nn::encodeSafetensors({}, meta, nn::StoredFloat::F32));
  // Damaged, as the weights tests make them.
  seed("fuzz_safetensors", "bad-truncated.safetensors", f32.substr(0, f32.size() - 20));
  seed("fuzz_safetensors", "bad-header-garbage.safetensors", std::string("\x10\0\0\0\0\0\0\0{\"a\": [1, 2,, }  ", 24));
  seed("fuzz_safetensors", "bad-flipped.safetensors", flipped(f32, 40));
  seed("fuzz_safetensors", "bad-shape.safetensors",
       editedSafetensors(f32, [](json& h) { h["conv.weight"]["shape"] = {3, 1, 3, 3}; }));
  seed("fuzz_safetensors", "bad-overlap.safetensors",
       editedSafetensors(f32, [](json& h) { h["bn.running_mean"]["data_offsets"] = {0, 8}; }));
  seed("fuzz_safetensors", "bad-dtype.safetensors",
       editedSafetensors(f32, [](json& h) { h["index"]["dtype"] = "F64"; }));
  seed("fuzz_safetensors", "bad-trailing.safetensors", f32 + "trailing");
}

std::vector<std::string> modelFiles(nn::Arch arch, nn::Tower tower, nn::WeightsPrecision precision) {
  torch::manual_seed(2);
  nn::NetConfig config;
  config.arch = arch;
  config.width = 1;  // the smallest network: the files stay a few KB
  config.embedDim = 4;
  config.tower = tower;
  auto model = nn::makeModel(config);
  const fs::path dir = fuzz::scratchDir() / "model";
  nn::saveModel(model, dir, precision);
  std::vector<std::string> files = {readFile(dir / nn::kCardFile)};
  for (const auto& part : nn::weightsParts()) files.push_back(readFile(dir / nn::weightsFileName(part)));
  fs::remove_all(dir);
  return files;
}

void modelFolderSeeds() {
  const auto avol = modelFiles(nn::Arch::Avol, nn::Tower::Paper, nn::WeightsPrecision::F32);
  seed("fuzz_model_folder", "avol-paper", joinFiles(avol));
  seed("fuzz_model_folder", "ave-compact-f16", joinFiles(modelFiles(nn::Arch::Ave, nn::Tower::Compact, nn::WeightsPrecision::F16)));
  const auto l3 = modelFiles(nn::Arch::L3, nn::Tower::Paper, nn::WeightsPrecision::F32);
  seed("fuzz_model_folder", "l3-paper", joinFiles(l3));
  // Damaged: another arch's weights, a wrong format, a missing file, truncated weights.
  auto mixed = avol;
  mixed[3] = l3[3];
  seed("fuzz_model_folder", "bad-mixed-arch", joinFiles(mixed));
  auto card = json::parse(avol[0]);
  card["format"] = "soundspot-model/0";
  seed("fuzz_model_folder", "bad-format", joinFiles({card.dump(), avol[1], avol[2], avol[3]}));
  seed("fuzz_model_folder", "bad-missing-head", joinFiles({avol[0], avol[1], avol[2]}));
  seed("fuzz_model_folder", "bad-truncated-audio", joinFiles({avol[0], avol[1], avol[2].substr(0, avol[2].size() / 2), avol[3]}));
  seed("fuzz_model_folder", "bad-card-not-json", joinFiles({"{\"format\": \"soundspot-model/1\", \"arch\": ", avol[1], avol[2], avol[3]}));
}

void npySeeds() {
  const fs::path file = fuzz::scratchDir() / "a.npy";
  auto npy = [&](const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.25f * float(i) - 1;
    writeNpy(file, shape, v.data());
    return readFile(file);
  };
  const std::string m = npy({3, 4});
  seed("fuzz_npy", "matrix.npy", m);
  seed("fuzz_npy", "vector.npy", npy({5}));
  seed("fuzz_npy", "empty.npy", npy({0}));
  seed("fuzz_npy", "cube.npy", npy({2, 1, 3}));
  seed("fuzz_npy", "bad-truncated.npy", m.substr(0, m.size() - 7));
  std::string f8 = m;
  f8.replace(f8.find("<f4"), 3, "<f8");
  seed("fuzz_npy", "bad-f8.npy", f8);
  std::string fortran = m;
  fortran.replace(fortran.find("False"), 5, "True ");
  seed("fuzz_npy", "bad-fortran.npy", fortran);
  seed("fuzz_npy", "bad-version2.npy", flipped(m, 6) /* version byte 1 -> 0x11 */);
}

void assetPackSeeds() {
  data::AssetPack pack;
  pack.classes = {"Violin, fiddle", "Dog"};
  for (int c = 0; c < 2; ++c) {
    data::PackImage im;
    im.id = "disc/" + std::to_string(c);
    im.classId = c;
    im.drawing = c == 1;
    im.split = c == 1 ? data::InstanceSplit::Unseen : data::InstanceSplit::Train;
    im.width = 3, im.height = 2;
    for (int i = 0; i < im.width * im.height * 4; ++i) im.rgba.push_back(uint8_t(37 * i + c));
    pack.images.push_back(im);
    data::PackSound s;
    s.id = "tone/" + std::to_string(c);
    s.classId = c;
    for (int i = 0; i < 24; ++i) s.pcm.push_back(int16_t(20000 * std::sin(0.7 * i * (c + 1))));
    s.heldOutFrom = c == 0 ? 16 : 24;
    pack.sounds.push_back(s);
  }
  for (int b = 0; b < 2; ++b) {
    data::PackBackground bg;
    bg.id = "grey/" + std::to_string(b);
    bg.test = b == 1;
    bg.width = 2, bg.height = 2;
    bg.rgb.assign(12, uint8_t(60 + b));
    pack.backgrounds.push_back(bg);
  }
  const fs::path file = fuzz::scratchDir() / "a.sspack";
  data::writeAssetPack(pack, file);
  const std::string packed = readFile(file);
  seed("fuzz_asset_pack", "two-classes.sspack", packed);
  // The uncompressed layout with raw PCM (packs written before the delta encoding).
  {
    std::string payload;
    json header = {{"format", "soundspot-asset-pack/1"}, {"sampleRate", data::kPackSampleRate}, {"classes", pack.classes},
                   {"compression", "none"}, {"soundEncoding", "pcm16"}};
    auto ref = [&](const void* p, size_t n) {
      json r = {{"offset", payload.size()}, {"bytes", n}};
      payload.append(static_cast<const char*>(p), n);
      return r;
    };
    for (const auto& im : pack.images)
      header["images"].push_back({{"id", im.id}, {"class", im.classId}, {"drawing", im.drawing}, {"split", "train"},
                                  {"width", im.width}, {"height", im.height}, {"data", ref(im.rgba.data(), im.rgba.size())}});
    for (const auto& s : pack.sounds)
      header["sounds"].push_back({{"id", s.id}, {"class", s.classId}, {"split", "unseen"}, {"heldOutFrom", s.heldOutFrom},
                                  {"data", ref(s.pcm.data(), s.pcm.size() * 2)}});
    for (const auto& b : pack.backgrounds)
      header["backgrounds"].push_back({{"id", b.id}, {"test", b.test}, {"width", b.width}, {"height", b.height},
                                       {"data", ref(b.rgb.data(), b.rgb.size())}});
    const std::string h = header.dump();
    std::string out("SSPACK1\n", 8);
    const uint64_t hn = h.size(), pn = payload.size();
    out.append(reinterpret_cast<const char*>(&hn), 8);
    out += h;
    out.append(reinterpret_cast<const char*>(&pn), 8);
    seed("fuzz_asset_pack", "uncompressed-pcm16.sspack", out + payload);
  }
  // Damaged, as the scene pack tests make them.
  seed("fuzz_asset_pack", "bad-short.sspack", packed.substr(0, packed.size() - 30));
  seed("fuzz_asset_pack", "bad-junk.sspack", "not a pack at all, just text");
  seed("fuzz_asset_pack", "bad-flipped-payload.sspack", flipped(packed, packed.size() - 10));
}

void indexSeeds() {
  retrieval::Index index;
  index.dim = 4;
  index.model = {{"arch", "avol"}, {"width", 1}};
  index.sources = json::array({"clips"});
  std::vector<float> rows(3 * 4);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = 0.5f * ((i % 4 == i / 4) ? 2.f : 0.f);
  index.addClip({"a", "/media/a.mp4", {"Dog"}, 0, 0}, {0.5, 1.5}, rows.data(), rows.data());
  index.addClip({"b", "/media/b.mp4", {}, 0, 0}, {0.5}, rows.data() + 8, rows.data() + 8);
  const fs::path dir = fuzz::scratchDir() / "index";
  retrieval::saveIndex(index, dir);
  std::vector<std::string> files;
  for (const char* name : {retrieval::kIndexFile, retrieval::kClipsFile, retrieval::kImageFile, retrieval::kAudioFile})
    files.push_back(readFile(dir / name));
  fs::remove_all(dir);
  // Mode byte: 'F' fixes the recorded sizes and hashes up, 'R' leaves them (fuzz_index.cpp).
  seed("fuzz_index", "fixed-valid", "F" + joinFiles(files));
  seed("fuzz_index", "raw-valid", "R" + joinFiles(files));
  auto f = files;
  f[2] = f[2].substr(0, f[2].size() - 7);
  seed("fuzz_index", "bad-raw-truncated-image", "R" + joinFiles(f));
  seed("fuzz_index", "bad-raw-flipped-audio", "R" + joinFiles({files[0], files[1], files[2], flipped(files[3], 13)}));
  seed("fuzz_index", "bad-raw-half-clips", "R" + joinFiles({files[0], files[1].substr(0, files[1].size() / 2), files[2], files[3]}));
  seed("fuzz_index", "bad-fixed-clip-count", "F" + joinFiles({files[0], R"({"clips": [{"id": "a", "times": [0.5, 1.5, 2.5]}]})", files[2], files[3]}));
  seed("fuzz_index", "bad-missing-matrices", "R" + joinFiles({files[0], files[1]}));
}

void datasetSeeds() {
  seed("fuzz_dataset", "good.json", test::kTinyDataset);
  // Optional fields given as null.
  seed("fuzz_dataset", "good-nulls.json",
       test::datasetWithClips(R"({"id": "d", "media": "d.mp4", "split": "val", "labels": null, "annotations": null})"));
  // The malformed files of tests/core/data/test_dataset.cpp.
  int i = 0;
  for (const auto& bad : test::kMalformedDatasets) seed("fuzz_dataset", "bad-" + std::to_string(i++) + ".json", bad.json);
}

void classMappingSeeds(const fs::path& sourceDir) {
  seed("fuzz_class_mapping", "object-classes.json", readFile(sourceDir / "resources/data/object-classes.json"));
  seed("fuzz_class_mapping", "small.json", R"({"format": "soundspot-object-classes/1", "classes": {
      "Violin, fiddle": [{"source": "qabcs", "kind": "pair", "item": "violin"},
                         {"source": "gcompris-instruments", "kind": "pair", "item": "violin"},
                         {"source": "soundfont", "kind": "sound", "item": "fluidr3/violin", "font": "FluidR3_GM.sf2",
                          "bank": 0, "program": 40, "notes": [67, 74], "note_seconds": 0.5, "tail_seconds": 0.5}],
      "Dog": [{"source": "qabcs", "kind": "image", "item": "dog"}]}})");
  seed("fuzz_class_mapping", "bad-twice.json", R"({"classes": {"Dog": [{"source": "qabcs", "kind": "pair", "item": "dog"}],
      "Bark": [{"source": "qabcs", "kind": "sound", "item": "dog"}]}})");
  seed("fuzz_class_mapping", "bad-no-classes.json", R"({"format": "soundspot-object-classes/1"})");
  seed("fuzz_class_mapping", "bad-not-json.json", R"({"classes": {"Dog": [)");
}

#ifdef SOUNDSPOT_HAS_FFMPEG
// Clips with a display rotation, non-square pixels and a variable frame rate
// as SoundSpot's own writer tags them (the ffmpeg CLI makes the others).
void mediaSeeds() {
  const fs::path file = fuzz::scratchDir() / "clip.mp4";
  auto clip = [&](const std::string& name, int rotation, int sarNum, bool vfr) {
    {
      media::MediaWriter w(file.string(), 24, 16, 10, 16000, 35);
      if (rotation) w.setRotation(rotation);
      if (sarNum) w.setSampleAspectRatio(sarNum, 1);
      std::vector<uint8_t> rgb(24 * 16 * 3);
      for (int k = 0; k < 4; ++k) {
        for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = uint8_t(i * 7 + k * 50);
        if (vfr) w.addFrame(rgb.data(), 0.1 * k + (k > 1 ? 0.15 : 0));
        else w.addFrame(rgb.data());
      }
      std::vector<float> tone(6400);
      for (size_t i = 0; i < tone.size(); ++i) tone[i] = 0.5f * std::sin(0.17f * float(i));
      w.addAudio(tone.data(), tone.size());
      w.finish();
    }
    seed("fuzz_media", name, readFile(file));
  };
  clip("writer-rotated-90.mp4", 90, 0, false);
  clip("writer-rotated-270.mp4", 270, 0, false);
  clip("writer-anamorphic-2-1.mp4", 0, 2, false);
  clip("writer-vfr.mp4", 0, 0, true);
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_seeds CORPUS_DIR SOURCE_DIR\n";
    return 2;
  }
  fuzz::quietLogs();
  gRoot = argv[1];
  safetensorsSeeds();
  modelFolderSeeds();
  npySeeds();
  assetPackSeeds();
  indexSeeds();
  datasetSeeds();
  classMappingSeeds(argv[2]);
#ifdef SOUNDSPOT_HAS_FFMPEG
  mediaSeeds();
#endif
  return 0;
}
