#include "core/nn/EnsembleFolder.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/nn/AvolEnsemble.h"
#include "core/nn/ModelFolder.h"

namespace soundspot::nn {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kCombineMean = "mean of the members' calibrated map logits";
constexpr const char* kCombineWeighted = "weighted sum of the members' calibrated map logits plus a bias";

// The card's "weights" and "bias" (both or neither); none: the mean.
EnsembleCombination combinationOf(const json& card) {
  EnsembleCombination c;
  if (!isEnsembleCard(card) || !card["ensemble"].is_object()) return c;
  const json& e = card["ensemble"];
  if (!e.contains("weights") && !e.contains("bias")) return c;
  if (!e.contains("weights") || !e["weights"].is_array() || !e.contains("bias") || !e["bias"].is_number())
    throw Error("ensemble", "invalid model card: \"weights\" must be a list of numbers and \"bias\" a number, both or neither");
  for (const auto& w : e["weights"]) {
    if (!w.is_number()) throw Error("ensemble", "invalid model card: an ensemble weight is not a number");
    c.weights.push_back(w.get<double>());
  }
  if (c.weights.empty()) throw Error("ensemble", "invalid model card: the list of ensemble weights is empty");
  c.bias = e["bias"].get<double>();
  return c;
}

// "members/2-avol": relative, no "..", no root: the folder stays self-contained.
fs::path memberPath(const fs::path& dir, const json& entry, const fs::path& cardPath) {
  if (!entry.is_string()) throw Error(cardPath.string(), "invalid model card: ensemble members must be folder names");
  const fs::path rel(entry.get<std::string>());
  if (rel.native().size() > 255)
    throw Error(cardPath.string(), "invalid model card: an ensemble member's path is longer than 255 characters");
  if (rel.empty() || rel.is_absolute() || rel.has_root_name())
    throw Error(cardPath.string(), "invalid model card: ensemble member '" + rel.string() + "' is not a path inside the folder");
  for (const auto& part : rel)
    if (part == "..")
      throw Error(cardPath.string(), "invalid model card: ensemble member '" + rel.string() + "' leaves the folder");
  return dir / rel;
}

// One member folder, refused naming it when it is an ensemble itself (read
// from its card before loading, so that a folder naming itself cannot
// recurse) or not an AVOL-Net.
Model loadMember(const fs::path& member, const std::string& device) {
  std::error_code ec;
  if (fs::is_regular_file(member / kCardFile, ec)) {
    const json memberCard = json::parse(readFile(member / kCardFile, 4u << 20, "model card"), nullptr, false);
    if (isEnsembleCard(memberCard))
      throw Error((member / kCardFile).string(), "is itself an ensemble; ensembles do not nest (name its members instead)");
  }
  Model model = loadModel(member, device);
  if (model.config.arch != Arch::Avol)
    throw Error(member.string(), "is an " + toString(model.config.arch) + " model; ensemble members must be AVOL-Nets");
  return model;
}

}  // namespace

bool isEnsembleCard(const json& card) { return card.is_object() && card.contains("ensemble"); }

Model ensembleOf(std::vector<Model> members, json card) {
  if (members.empty()) throw Error("ensemble", "no member models");
  std::vector<AvolNet> nets;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].config.arch != Arch::Avol)
      throw Error("ensemble", "member " + std::to_string(i + 1) + " is an " + toString(members[i].config.arch) +
                                  " model; ensemble folders hold AVOL-Nets");
    if (std::dynamic_pointer_cast<AvolEnsembleImpl>(members[i].avol.ptr()))
      throw Error("ensemble", "member " + std::to_string(i + 1) + " is itself an ensemble; name its members instead");
    nets.push_back(members[i].avol);
  }
  Model model;
  model.config = members.front().config;  // arch, towers and width as the members (the untrained reference)
  model.avol = makeAvolEnsemble(std::move(nets), combinationOf(card));
  model.card = std::move(card);
  model.device = members.front().device;
  model.avol->eval();
  return model;
}

Model loadEnsembleFolder(const fs::path& dir, const json& card, const std::string& device) {
  const fs::path cardPath = dir / kCardFile;
  const json& ensemble = card.at("ensemble");
  if (!ensemble.is_object() || !ensemble.contains("members") || !ensemble["members"].is_array() ||
      ensemble["members"].empty())
    throw Error(cardPath.string(), "invalid model card: \"ensemble\" needs a non-empty list \"members\"");
  if (ensemble["members"].size() > 16)
    throw Error(cardPath.string(), "invalid model card: more than 16 ensemble members");
  if (card.value("arch", "") != "avol")
    throw Error(cardPath.string(), "invalid model card: an ensemble's arch must be \"avol\"");
  std::vector<Model> members;
  for (const auto& entry : ensemble["members"]) members.push_back(loadMember(memberPath(dir, entry, cardPath), device));
  try {
    return ensembleOf(std::move(members), card);
  } catch (const Error& e) {
    throw Error(cardPath.string(), e.problem());
  }
}

void writeEnsembleFolder(const std::vector<fs::path>& members, const fs::path& out, const json& recipe,
                         const EnsembleFitter& fit) {
  if (members.empty()) throw UsageError("--model", "an ensemble needs at least one member model folder");
  std::vector<Model> loaded;
  json names = json::array(), sources = json::array();
  for (size_t i = 0; i < members.size(); ++i) {
    const fs::path& m = members[i];
    Model model = loadMember(m, "cpu");
    const std::string base = fs::absolute(m).lexically_normal().filename().string();
    names.push_back("members/" + std::to_string(i + 1) + "-" + (base.empty() ? std::string("model") : base));
    sources.push_back(m.string());
    loaded.push_back(std::move(model));
  }
  // Validates the combination (embedding sizes) before anything is written.
  Model ensemble = ensembleOf(std::move(loaded), json::object());
  const json fitReport = fit ? fit(ensemble) : json(nullptr);
  const auto* impl = dynamic_cast<const AvolEnsembleImpl*>(ensemble.avol.get());
  const EnsembleCombination& combination = impl->combination();

  json card = json::object();
  card["format"] = kModelFormat;
  card["arch"] = "avol";
  card["width"] = ensemble.config.width;
  card["embed_dim"] = ensemble.config.embedDim;
  card["tower"] = toString(ensemble.config.tower);
  card["similarity"] = toString(ensemble.config.similarity);
  card["paper"] = "Objects that Sound, Arandjelovic & Zisserman, ECCV 2018";
  card["version"] = SOUNDSPOT_VERSION;
  card["ensemble"] = {{"members", names}, {"sources", sources}};
  if (combination.weights.empty()) {
    card["ensemble"]["combine"] = kCombineMean;
  } else {
    card["ensemble"]["combine"] = kCombineWeighted;
    card["ensemble"]["weights"] = combination.weights;
    card["ensemble"]["bias"] = combination.bias;
  }
  if (!fitReport.is_null()) card["ensemble"]["fit"] = fitReport;
  card["recipe"] = recipe;

  writeFolderAtomically(out, "ensemble model folder", [&](const fs::path& tmp) {
    for (size_t i = 0; i < members.size(); ++i) {
      const fs::path dst = tmp / names[i].get<std::string>();
      fs::create_directories(dst);
      writeFileAtomically(dst / kCardFile, readFile(members[i] / kCardFile));
      for (const auto& part : weightsParts())
        writeFileAtomically(dst / weightsFileName(part), readFile(members[i] / weightsFileName(part)));
    }
    writeFileAtomically(tmp / kCardFile, card.dump(2) + "\n");
  });
}

}  // namespace soundspot::nn
