#include "core/eval/Ontology.h"

#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Paths.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace soundspot::eval {

struct Ontology::Graph {
  std::string source;
  std::vector<std::string> ids, names;
  std::unordered_map<std::string, int> byId, byName;
  // Undirected adjacency; node ids.size() is the implicit root.
  std::vector<std::vector<int>> neighbours;

  mutable std::mutex cacheMutex;
  mutable std::unordered_map<int, std::shared_ptr<const std::vector<int>>> distancesFrom;

  int indexOfName(const std::string& name) const {
    auto it = byName.find(name);
    if (it == byName.end()) throw Error(source, "unknown class name \"" + name + "\"");
    return it->second;
  }

  std::shared_ptr<const std::vector<int>> bfs(int from) const {
    {
      std::lock_guard<std::mutex> lock(cacheMutex);
      auto it = distancesFrom.find(from);
      if (it != distancesFrom.end()) return it->second;
    }
    auto dist = std::make_shared<std::vector<int>>(neighbours.size(), std::numeric_limits<int>::max());
    std::deque<int> queue{from};
    (*dist)[from] = 0;
    while (!queue.empty()) {
      const int u = queue.front();
      queue.pop_front();
      for (int v : neighbours[u])
        if ((*dist)[v] == std::numeric_limits<int>::max()) {
          (*dist)[v] = (*dist)[u] + 1;
          queue.push_back(v);
        }
    }
    std::lock_guard<std::mutex> lock(cacheMutex);
    return distancesFrom.emplace(from, std::move(dist)).first->second;
  }
};

Ontology::Ontology(std::unique_ptr<Graph> graph) : graph_(std::move(graph)) {}
Ontology::Ontology(Ontology&&) noexcept = default;
Ontology& Ontology::operator=(Ontology&&) noexcept = default;
Ontology::~Ontology() = default;

Ontology Ontology::load(const std::filesystem::path& path) {
  nlohmann::json classes;
  try {
    classes = nlohmann::json::parse(readFile(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string(), std::string("not valid JSON: ") + e.what());
  }
  return fromJson(classes, path.string());
}

Ontology Ontology::loadAudioSet() { return load(resourcePath("ontology/audioset-ontology.json")); }

Ontology Ontology::fromJson(const nlohmann::json& classes, const std::string& source) {
  if (!classes.is_array()) throw Error(source, "expected a JSON list of classes");
  auto g = std::make_unique<Graph>();
  g->source = source;
  std::vector<std::vector<std::string>> childIds;
  for (size_t i = 0; i < classes.size(); ++i) {
    const auto& c = classes[i];
    const std::string where = "class #" + std::to_string(i);
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string() || !c.contains("name") || !c["name"].is_string())
      throw Error(source, where + ": needs string fields \"id\" and \"name\"");
    const std::string id = c["id"], name = c["name"];
    if (!g->byId.emplace(id, int(i)).second) throw Error(source, where + ": duplicate id \"" + id + "\"");
    if (!g->byName.emplace(name, int(i)).second) throw Error(source, where + ": duplicate name \"" + name + "\"");
    g->ids.push_back(id);
    g->names.push_back(name);
    std::vector<std::string> kids;
    if (c.contains("child_ids")) {
      if (!c["child_ids"].is_array()) throw Error(source, where + ": \"child_ids\" must be a list");
      for (const auto& k : c["child_ids"]) {
        if (!k.is_string()) throw Error(source, where + ": \"child_ids\" must hold strings");
        kids.push_back(k);
      }
    }
    childIds.push_back(std::move(kids));
  }
  const int n = int(g->ids.size());
  const int root = n;
  g->neighbours.assign(n + 1, {});
  std::vector<bool> isChild(n, false);
  for (int i = 0; i < n; ++i)
    for (const auto& kid : childIds[i]) {
      auto it = g->byId.find(kid);
      if (it == g->byId.end())
        throw Error(source, "class \"" + g->names[i] + "\": child id \"" + kid + "\" is not a class");
      g->neighbours[i].push_back(it->second);
      g->neighbours[it->second].push_back(i);
      isChild[it->second] = true;
    }
  for (int i = 0; i < n; ++i)
    if (!isChild[i]) {
      g->neighbours[root].push_back(i);
      g->neighbours[i].push_back(root);
    }
  // A cycle without a top-level class would leave classes unreachable.
  const auto fromRoot = g->bfs(root);
  for (int i = 0; i < n; ++i)
    if ((*fromRoot)[i] == std::numeric_limits<int>::max())
      throw Error(source, "class \"" + g->names[i] + "\" is not below any top-level class (cycle)");
  return Ontology(std::move(g));
}

size_t Ontology::size() const { return graph_->ids.size(); }

bool Ontology::hasName(const std::string& name) const { return graph_->byName.count(name) > 0; }

const std::string& Ontology::idOf(const std::string& name) const { return graph_->ids[graph_->indexOfName(name)]; }

const std::string& Ontology::nameOf(const std::string& id) const {
  auto it = graph_->byId.find(id);
  if (it == graph_->byId.end()) throw Error(graph_->source, "unknown class id \"" + id + "\"");
  return graph_->names[it->second];
}

int Ontology::distance(const std::string& nameA, const std::string& nameB) const {
  const int a = graph_->indexOfName(nameA), b = graph_->indexOfName(nameB);
  return (*graph_->bfs(a))[b];
}

int Ontology::setDistance(const std::vector<std::string>& a, const std::vector<std::string>& b) const {
  if (a.empty() || b.empty()) throw Error(graph_->source, "distance between label sets needs non-empty sets");
  int best = std::numeric_limits<int>::max();
  for (const auto& x : a) {
    const auto dist = graph_->bfs(graph_->indexOfName(x));
    for (const auto& y : b) best = std::min(best, (*dist)[graph_->indexOfName(y)]);
  }
  return best;
}

}  // namespace soundspot::eval
