#include "core/data/Dataset.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace soundspot::data {
namespace {

using nlohmann::json;

// Collects the location ("clip 'x' annotations[2].sounding[0].box") so that
// every error names the clip and the field.
struct Where {
  std::string file;
  std::string clip;
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    const std::string who = clip.empty() ? std::string() : "clip '" + clip + "': ";
    throw Error(file, who + "field '" + field + "' " + problem);
  }
};

const json& member(const json& obj, const char* key, const Where& w, const std::string& field) {
  auto it = obj.find(key);
  if (it == obj.end()) w.fail(field, "is missing");
  return *it;
}

std::string stringField(const json& v, const Where& w, const std::string& field) {
  if (!v.is_string()) w.fail(field, "must be a string");
  return v.get<std::string>();
}

double numberField(const json& v, const Where& w, const std::string& field) {
  if (!v.is_number()) w.fail(field, "must be a number");
  const double x = v.get<double>();
  if (!std::isfinite(x)) w.fail(field, "must be finite");
  return x;
}

void checkLabel(const std::string& label, const LabelCheck& known, const Where& w, const std::string& field) {
  if (label.empty()) w.fail(field, "is an empty label");
  if (known && !known(label)) w.fail(field, "has label '" + label + "' that is not a class of the ontology");
}

std::vector<ObjectBox> objects(const json& arr, const LabelCheck& known, const Where& w, const std::string& field) {
  if (!arr.is_array()) w.fail(field, "must be a list");
  std::vector<ObjectBox> out;
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    const json& o = arr[i];
    if (!o.is_object()) w.fail(f, "must be an object");
    ObjectBox b;
    b.label = stringField(member(o, "label", w, f + ".label"), w, f + ".label");
    checkLabel(b.label, known, w, f + ".label");
    const json& box = member(o, "box", w, f + ".box");
    if (!box.is_array() || box.size() != 4) w.fail(f + ".box", "must be [x0, y0, x1, y1]");
    for (int k = 0; k < 4; ++k) {
      b.box[k] = numberField(box[k], w, f + ".box");
      if (b.box[k] < 0 || b.box[k] > 1) w.fail(f + ".box", "must be normalised to 0..1");
    }
    if (b.box[2] <= b.box[0] || b.box[3] <= b.box[1]) w.fail(f + ".box", "must have x1 > x0 and y1 > y0");
    out.push_back(std::move(b));
  }
  return out;
}

Clip parseClip(const json& c, const std::filesystem::path& dir, const LabelCheck& known, Where w) {
  if (!c.is_object()) w.fail("clips[]", "entries must be objects");
  Clip clip;
  clip.id = stringField(member(c, "id", w, "id"), w, "id");
  if (clip.id.empty()) w.fail("id", "is empty");
  w.clip = clip.id;
  const std::string media = stringField(member(c, "media", w, "media"), w, "media");
  if (media.empty()) w.fail("media", "is empty");
  clip.media = std::filesystem::absolute(dir / media).lexically_normal();
  if (auto it = c.find("split"); it != c.end() && !it->is_null()) {
    clip.split = stringField(*it, w, "split");
    if (!isValidSplit(clip.split)) w.fail("split", "is '" + clip.split + "', expected train, val or test");
  }
  if (auto it = c.find("subset"); it != c.end() && !it->is_null()) clip.subset = stringField(*it, w, "subset");
  if (auto it = c.find("labels"); it != c.end() && !it->is_null()) {
    if (!it->is_array()) w.fail("labels", "must be a list of class names");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string f = "labels[" + std::to_string(i) + "]";
      clip.labels.push_back(stringField((*it)[i], w, f));
      checkLabel(clip.labels.back(), known, w, f);
    }
  }
  if (auto it = c.find("annotations"); it != c.end() && !it->is_null()) {
    if (!it->is_array()) w.fail("annotations", "must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string f = "annotations[" + std::to_string(i) + "]";
      const json& a = (*it)[i];
      if (!a.is_object()) w.fail(f, "must be an object");
      Annotation ann;
      ann.time = numberField(member(a, "time", w, f + ".time"), w, f + ".time");
      if (ann.time < 0) w.fail(f + ".time", "must not be negative");
      if (auto s = a.find("sounding"); s != a.end()) ann.sounding = objects(*s, known, w, f + ".sounding");
      else w.fail(f + ".sounding", "is missing");
      if (auto s = a.find("silent"); s != a.end() && !s->is_null()) ann.silent = objects(*s, known, w, f + ".silent");
      clip.annotations.push_back(std::move(ann));
    }
  }
  return clip;
}

}  // namespace

bool isValidSplit(const std::string& split) { return split == "train" || split == "val" || split == "test"; }

std::vector<Clip> Dataset::split(const std::string& wanted) const {
  std::vector<Clip> out;
  for (const auto& c : clips)
    if (c.inSplit(wanted)) out.push_back(c);
  return out;
}

Dataset loadDataset(const std::filesystem::path& dir, const LabelCheck& knownLabel) {
  const auto file = dir / "dataset.json";
  if (!std::filesystem::is_directory(dir)) throw Error(dir.string(), "is not a dataset folder");
  if (!std::filesystem::exists(file)) throw Error(file.string(), "missing (a dataset folder holds dataset.json)");
  json root;
  try {
    root = json::parse(readFile(file, kMaxDatasetJsonBytes, "dataset.json"));
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number such as 1e999
    throw Error(file.string(), std::string("is not valid JSON: ") + e.what());
  }
  Where w{file.string(), {}};
  if (!root.is_object()) w.fail("(root)", "must be an object");
  const std::string format = stringField(member(root, "format", w, "format"), w, "format");
  if (format != "soundspot-dataset/1") w.fail("format", "is '" + format + "', expected 'soundspot-dataset/1'");
  Dataset ds;
  ds.dir = std::filesystem::absolute(dir).lexically_normal();
  if (auto it = root.find("name"); it != root.end() && !it->is_null()) ds.name = stringField(*it, w, "name");
  if (auto it = root.find("ontology"); it != root.end() && !it->is_null()) ds.ontology = stringField(*it, w, "ontology");
  const json& clips = member(root, "clips", w, "clips");
  if (!clips.is_array()) w.fail("clips", "must be a list");
  std::set<std::string> ids;
  for (size_t i = 0; i < clips.size(); ++i) {
    Where cw = w;
    cw.clip = "#" + std::to_string(i);
    Clip c = parseClip(clips[i], ds.dir, knownLabel, cw);
    if (!ids.insert(c.id).second) Where{file.string(), c.id}.fail("id", "is not unique");
    ds.clips.push_back(std::move(c));
  }
  return ds;
}

}  // namespace soundspot::data
