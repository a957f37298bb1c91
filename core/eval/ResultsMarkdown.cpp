#include "core/eval/ResultsMarkdown.h"

#include <cstdio>
#include <sstream>
#include <vector>

namespace soundspot::eval {

using nlohmann::json;

namespace {

const char* kBegin = "<!-- results:begin -->";
const char* kEnd = "<!-- results:end -->";
const char* kDirections[] = {"im-im", "im-aud", "aud-im", "aud-aud"};

// A value at a path of keys, or null.
const json* at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end() || it->is_null()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string number(const json* v, int decimals = 3) {
  if (!v || !v->is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v->get<double>());
  return buf;
}

std::string percent(const json* v) {
  if (!v || !v->is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v->get<double>());
  return buf;
}

// "65.3% (56.5–73.5)": the pointing accuracy with its class-resampled 95% interval when the report has one.
std::string pointingCell(const json& avol) {
  std::string cell = percent(at(avol, {"localization", "pointing_accuracy"}));
  const json* interval = at(avol, {"localization", "pointing_interval95_by_class"});
  if (interval && interval->is_array() && interval->size() == 2 && (*interval)[0].is_number() && (*interval)[1].is_number()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " (%.1f–%.1f)", 100.0 * (*interval)[0].get<double>(), 100.0 * (*interval)[1].get<double>());
    cell += buf;
  }
  return cell;
}

void row(std::ostringstream& out, const std::vector<std::string>& cells) {
  out << "|";
  for (const auto& c : cells) out << " " << c << " |";
  out << "\n";
}

void header(std::ostringstream& out, const std::vector<std::string>& cells) {
  row(out, cells);
  out << "|";
  for (size_t i = 0; i < cells.size(); ++i) out << (i == 0 ? "---|" : "---:|");
  out << "\n";
}

const json& model(const json& subset, const char* name) {
  static const json none;
  auto it = subset.find(name);
  return it == subset.end() ? none : *it;
}

// Chance level: the same for every direction; taken from any report.
const json* randomNdcg(const json& subset) {
  for (auto& [name, report] : subset.items())
    if (const json* v = at(report, {"ndcg30_random"})) return v;
  return nullptr;
}

// (nDCG - random) / (1 - random): how much of the way from chance to a
// perfect ranking a method goes. On scenes chance is high (few classes), so
// raw nDCG differences look smaller than they are.
std::string aboveChance(const json* value, const json* chance) {
  if (!value || !chance || !value->is_number() || !chance->is_number() || chance->get<double>() >= 1) return "—";
  const json gain = (value->get<double>() - chance->get<double>()) / (1 - chance->get<double>());
  return number(&gain);
}

// One row per method, one value per retrieval direction (null where absent).
using MethodRow = std::pair<std::string, std::vector<const json*>>;

std::vector<MethodRow> retrievalRows(const json& subset) {
  std::vector<MethodRow> rows{{"L3-Net", {}}, {"L3-Net + CCA", {}}, {"AVE-Net", {}}, {"AVOL-Net", {}}};
  const json& l3 = model(subset, "l3");
  for (const char* d : kDirections) {
    rows[0].second.push_back(at(l3, {"ndcg30_l3_raw", d}));
    rows[1].second.push_back(at(l3, {"ndcg30_l3_cca", d}));
    rows[2].second.push_back(at(model(subset, "ave"), {"ndcg30", d}));
    rows[3].second.push_back(at(model(subset, "avol"), {"ndcg30", d}));
  }
  return rows;
}

template <class Cell>
void methodRows(std::ostringstream& out, const std::vector<MethodRow>& rows, Cell cell) {
  for (const auto& [label, values] : rows) {
    std::vector<std::string> cells{label};
    for (const json* v : values) cells.push_back(cell(v));
    row(out, cells);
  }
}

void retrievalTables(std::ostringstream& out, const std::string& name, const json& subset) {
  const json* chance = randomNdcg(subset);
  const auto rows = retrievalRows(subset);
  out << "**Retrieval nDCG@30, " << name << "** (the paper's Table 1):\n\n";
  header(out, {"method", "im-im", "im-aud", "aud-im", "aud-aud"});
  row(out, {"random chance", number(chance), number(chance), number(chance), number(chance)});
  methodRows(out, rows, [](const json* v) { return number(v); });
  out << "\n**Above chance, " << name << "**: (nDCG − random) / (1 − random); 0 is chance, 1 a perfect ranking:\n\n";
  header(out, {"method", "im-im", "im-aud", "aud-im", "aud-aud"});
  methodRows(out, rows, [chance](const json* v) { return aboveChance(v, chance); });
}

void avcTable(std::ostringstream& out, const json& results) {
  std::vector<std::string> head{"network"};
  for (auto& [name, subset] : results.items()) head.push_back(name);
  header(out, head);
  for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
           {"l3", "L3-Net"}, {"ave", "AVE-Net"}, {"avol", "AVOL-Net"}}) {
    std::vector<std::string> cells{label};
    for (auto& [name, subset] : results.items()) cells.push_back(percent(at(model(subset, key), {"avc_accuracy"})));
    row(out, cells);
  }
}

void localizationTable(std::ostringstream& out, const json& results) {
  header(out, {"subset", "pointing (95% interval, classes resampled)", "peak on a silent object", "peak on background", "centre baseline", "object baseline",
               "cIoU@0.5", "AUC", "mismatch AUROC", "mismatch AUROC (untrained)", "instants"});
  for (auto& [name, subset] : results.items()) {
    const json& avol = model(subset, "avol");
    row(out, {name, pointingCell(avol),
              percent(at(avol, {"localization", "peak_on_silent_object"})),
              percent(at(avol, {"localization", "peak_on_background"})),
              percent(at(avol, {"localization", "center_baseline"})), percent(at(avol, {"localization", "object_baseline"})),
              number(at(avol, {"localization", "ciou50"})), number(at(avol, {"localization", "auc"})),
              number(at(avol, {"localization", "mismatch_auroc"})),
              number(at(avol, {"localization", "mismatch_auroc_untrained"})), number(at(avol, {"instants"}), 0)});
  }
}

// "with" is the ablation's own control run when there is one, else the shipped AVE-Net.
void ablationTable(std::ostringstream& out, const json& results) {
  header(out, {"subset", "AVE-Net", "AVC accuracy", "im-aud", "aud-im"});
  for (auto& [name, subset] : results.items()) {
    const char* with = subset.contains("ave-grid-fix") ? "ave-grid-fix" : "ave";
    for (const auto& [key, label] : std::vector<std::pair<const char*, const char*>>{
             {with, "with the frame-grid fix"}, {"ave-no-grid-fix", "without it"}}) {
      const json& m = model(subset, key);
      row(out, {name, label, percent(at(m, {"avc_accuracy"})), number(at(m, {"ndcg30", "im-aud"})),
                number(at(m, {"ndcg30", "aud-im"}))});
    }
  }
}

}  // namespace

std::string resultsMarkdown(const json& results, const std::string& commands) {
  std::ostringstream out;
  out << "Regenerated by the commands below on the \"SoundSpot Scenes test\" benchmark "
         "(docs/SCENES.md); `test-seen` and `test-unseen` are reported separately.\n\n";
  out << "```\n" << commands << (commands.empty() || commands.back() == '\n' ? "" : "\n") << "```\n\n";
  for (auto& [name, subset] : results.items()) {
    retrievalTables(out, name, subset);
    out << "\n";
  }
  out << "**AVC accuracy** (balanced pairs):\n\n";
  avcTable(out, results);
  out << "\n**Localization (AVOL-Net)**: pointing = the map's maximum falls in a sounding box; "
         "otherwise it falls on a silent object or on the background; the object baseline is what picking a random "
         "visible object gives:\n\n";
  localizationTable(out, results);
  out << "\n**Shortcut ablation** (negative audio on the frame grid or anywhere):\n\n";
  ablationTable(out, results);
  return out.str();
}

std::string replaceResultsSection(const std::string& document, const std::string& section) {
  const std::string block = std::string(kBegin) + "\n" + section + (section.empty() || section.back() == '\n' ? "" : "\n") + kEnd;
  const auto b = document.find(kBegin);
  const auto e = b == std::string::npos ? std::string::npos : document.find(kEnd, b);
  if (b == std::string::npos || e == std::string::npos)
    return document + (document.empty() || document.back() == '\n' ? "" : "\n") + "\n" + block + "\n";
  return document.substr(0, b) + block + document.substr(e + std::string(kEnd).size());
}

}  // namespace soundspot::eval
