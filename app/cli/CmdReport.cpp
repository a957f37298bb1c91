// `soundspot-cli report`: evaluates the shipped models on the SoundSpot
// Scenes benchmark (each test subset separately), keeps every report as JSON,
// regenerates the README's results section from them and records the
// headline figures in each model's card.
#include "app/cli/Command.h"
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Paths.h"
#include "core/eval/EvaluateModel.h"
#include "core/eval/Ontology.h"
#include "core/eval/ResultsMarkdown.h"
#include "core/nn/Device.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <sstream>

namespace soundspot::cli {
namespace {

namespace fs = std::filesystem;

struct ReportArgs {
  std::string bench, ccaData, models, resultsDir = "docs/results", readme = "README.md", device = "auto";
  std::vector<std::string> subsets{"test-seen", "test-unseen"};
  // The shortcut ablation: [WITH,]WITHOUT the frame-grid fix; with one folder
  // the shipped AVE-Net stands for "with".
  std::vector<std::string> ablation;
  bool fromJson = false, noCards = false;
};

// The models a report covers, by name: the three shipped ones and the ablation.
std::vector<std::pair<std::string, fs::path>> modelFolders(const ReportArgs& a) {
  const fs::path root = a.models.empty() ? resourceDir() / "models" : fs::path(a.models);
  std::vector<std::pair<std::string, fs::path>> out;
  for (const char* name : {"avol", "ave", "l3"})
    if (fs::exists(root / name / "card.json")) out.emplace_back(name, root / name);
  if (a.ablation.size() == 2) out.emplace_back("ave-grid-fix", a.ablation[0]);
  if (!a.ablation.empty()) out.emplace_back("ave-no-grid-fix", a.ablation.back());
  if (out.empty()) throw Error(root.string(), "holds no model folder (avol, ave or l3 with a card.json)");
  return out;
}

// What a reader reruns: tools/report.sh makes the pack, the benchmark and
// the CCA scenes exactly like this, then calls this command.
std::string commandsText(const ReportArgs& a) {
  std::ostringstream c;
  c << "bash tools/report.sh";
  for (size_t i = 0; i < a.ablation.size(); ++i) c << (i ? "," : " --ablation ") << a.ablation[i];
  if (!a.ablation.empty()) c << "\n# (the --ablation models: bash tools/ablation.sh, which then runs this report)";
  c << "\n# = soundspot-cli pack --out out/scenes.sspack\n"
    << "#   soundspot-cli scenes --benchmark --out out/scenes-test --pack out/scenes.sspack\n"
    << "#   soundspot-cli scenes --out out/scenes-cca --count 100 --seed 7 --split-plan train=1 --pack out/scenes.sspack\n"
    << "#   soundspot-cli report --bench " << a.bench;
  if (!a.ccaData.empty()) c << " --cca-data " << a.ccaData;
  if (!a.models.empty()) c << " --models " << a.models;
  c << "\n";
  return c.str();
}

// The figures a reader of a model card looks for first, of one subset; the
// full report stays in resultsDir.
nlohmann::json cardFigures(const nlohmann::json& report) {
  nlohmann::json f = nlohmann::json::object();
  for (const char* key : {"avc_accuracy", "instants", "ndcg30", "ndcg30_random", "ndcg30_l3_cca"})
    if (report.contains(key)) f[key] = report[key];
  if (report.contains("localization")) {
    const auto& loc = report["localization"];
    for (const char* key : {"pointing_accuracy", "pointing_interval95_by_class", "object_baseline", "center_baseline",
                            "peak_on_background", "mismatch_auroc"})
      if (loc.contains(key)) f[key] = loc[key];
  }
  return f;
}

// A JSON file the report reads back (a kept report, a model card).
nlohmann::json readJson(const fs::path& file) {
  try {
    return nlohmann::json::parse(readFile(file));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string(), std::string("is not valid JSON (") + e.what() + ")");
  }
}

// "SoundSpot Scenes test (out/scenes-test)": the dataset's own name (the
// loaded one's, or from its dataset.json: a --from-json run may have none),
// and the folder.
std::string benchmarkName(const std::string& bench, std::string name) {
  if (name.empty()) {
    try {
      name = nlohmann::json::parse(readFile(fs::path(bench) / "dataset.json")).value("name", std::string());
    } catch (const std::exception&) {
      // No readable dataset.json: the folder alone names it.
    }
  }
  return name.empty() ? bench : name + " (" + bench + ")";
}

// Writes "benchmark" into the card of each shipped model (not the ablation's):
// the card then says how good the model is, not only how it was made.
void recordInCards(const ReportArgs& a, const std::vector<std::pair<std::string, fs::path>>& models,
                   const nlohmann::json& results, const std::string& datasetName) {
  const std::string command = commandsText(a);
  const nlohmann::json about = {{"dataset", benchmarkName(a.bench, datasetName)},
                                {"command", command.substr(0, command.find('\n'))},
                                {"reports", a.resultsDir}};
  // Every card is read before any is written: a damaged one changes none.
  std::vector<std::pair<fs::path, nlohmann::json>> cards;
  for (const auto& [name, dir] : models) {
    if (name != "avol" && name != "ave" && name != "l3") continue;
    const fs::path cardFile = dir / "card.json";
    cards.emplace_back(cardFile, readJson(cardFile));
    nlohmann::json bench = about;
    for (const auto& subset : a.subsets) bench[subset] = cardFigures(results[subset][name]);
    cards.back().second["benchmark"] = bench;
  }
  for (const auto& [cardFile, card] : cards) {
    writeFileAtomically(cardFile, card.dump(2) + "\n");
    spdlog::info("report: benchmark figures recorded in {}", cardFile.string());
  }
}

void runReport(const ReportArgs& a) {
  const auto models = modelFolders(a);
  nlohmann::json results = nlohmann::json::object();
  std::string datasetName;  // known once the benchmark is loaded
  if (a.fromJson) {
    for (const auto& subset : a.subsets)
      for (const auto& [name, dir] : models) {
        const fs::path file = fs::path(a.resultsDir) / subset / (name + ".json");
        if (!fs::exists(file)) throw Error(file.string(), "missing: run the report without --from-json first");
        results[subset][name] = readJson(file);
      }
  } else {
    if (!fs::is_directory(a.bench)) throw UsageError(a.bench, "is not a dataset folder (make it with soundspot-cli scenes --benchmark)");
    const std::string device = nn::resolveDevice(nn::parseDeviceChoice(a.device));
    const eval::Ontology ontology = eval::Ontology::loadAudioSet();
    const data::Dataset dataset =
        data::loadDataset(a.bench, [&](const std::string& label) { return ontology.hasName(label); });
    datasetName = dataset.name;
    std::optional<data::Dataset> ccaDataset;
    if (!a.ccaData.empty())
      ccaDataset = data::loadDataset(a.ccaData, [&](const std::string& label) { return ontology.hasName(label); });
    else if (dataset.split("train").empty() && std::any_of(models.begin(), models.end(), [](auto& m) { return m.first == "l3"; }))
      throw UsageError("--cca-data", "L3-Net's CCA needs training scenes: give a dataset folder with a train split");
    CancelToken cancel;
    cancelOnSignal(cancel);
    for (const auto& subset : a.subsets) {
      for (const auto& [name, dir] : models) {
        spdlog::info("report: {} on {}", name, subset);
        eval::EvalOptions opts;
        opts.split = subset;
        // L3-Net's CCA is fitted on training scenes, never on the benchmark.
        opts.trainSplit = "train";
        opts.ccaDataset = ccaDataset ? &*ccaDataset : nullptr;
        const auto report = eval::evaluateModelFolder(dir, dataset, ontology, opts, device, true, &cancel);
        if (cancel.cancelled()) throw Error(a.bench, "cancelled");
        writeFileAtomically(fs::path(a.resultsDir) / subset / (name + ".json"), report.dump(2) + "\n");
        results[subset][name] = report;
      }
    }
  }
  if (!a.noCards) recordInCards(a, models, results, datasetName);
  const std::string section = eval::resultsMarkdown(results, commandsText(a));
  if (!a.readme.empty()) {
    const std::string before = fs::exists(a.readme) ? readFile(a.readme) : std::string();
    writeFileAtomically(a.readme, eval::replaceResultsSection(before, section));
    spdlog::info("report: results section of {} rewritten", a.readme);
  }
  std::fwrite(section.data(), 1, section.size(), stdout);
}

CommandRegistration reg("report", [](CLI::App& app) {
  auto a = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Evaluate the shipped models on the benchmark and rewrite the README's results section");
  cmd->add_option("--bench", a->bench, "Benchmark dataset folder (soundspot-cli scenes --benchmark)")->required();
  cmd->add_option("--cca-data", a->ccaData, "Training scenes (dataset folder with a train split) for L3-Net's CCA");
  cmd->add_option("--models", a->models, "Folder holding avol/, ave/, l3/ (default: the bundled models)");
  cmd->add_option("--ablation", a->ablation,
                  "Shortcut ablation: WITH,WITHOUT (AVE-Nets trained alike, with and without the frame-grid fix), "
                  "or WITHOUT alone (compared with the shipped AVE-Net)")
      ->delimiter(',')
      ->expected(1, 2);
  cmd->add_option("--subsets", a->subsets, "Subsets to evaluate")->delimiter(',')->capture_default_str();
  cmd->add_option("--results-dir", a->resultsDir, "Where the JSON reports go")->capture_default_str();
  cmd->add_option("--readme", a->readme, "Document whose results section is rewritten ('' = none)")->capture_default_str();
  cmd->add_option("--device", a->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_flag("--from-json", a->fromJson, "Only re-render from the JSON reports already in --results-dir");
  cmd->add_flag("--no-cards", a->noCards, "Leave the models' card.json as they are (default: record the figures in them)");
  cmd->callback([a] { runReport(*a); });
});

}  // namespace
}  // namespace soundspot::cli
