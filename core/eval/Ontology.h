#pragma once
// The AudioSet ontology as a graph, for the retrieval relevance of "Objects
// that Sound" (sec. 5): the distance between two classes is the length of the
// shortest path between them when every parent-child link is an undirected
// edge. The top-level classes (those nobody lists as a child) are joined
// through one implicit root, so that classes of different top-level trees
// (e.g. "Dog" and "Violin, fiddle") are still at a finite distance: the sum of
// their depths + 2.
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace soundspot::eval {

class Ontology {
 public:
  // Reads an ontology JSON file (a list of {"id", "name", "child_ids"}).
  // Throws soundspot::Error naming the file when it is missing or malformed
  // (duplicate id or name, child id that is not a class).
  static Ontology load(const std::filesystem::path& path);
  // The AudioSet ontology shipped in resources/ontology/.
  static Ontology loadAudioSet();
  // From already parsed JSON; `source` names it in error messages.
  static Ontology fromJson(const nlohmann::json& classes, const std::string& source);

  Ontology(Ontology&&) noexcept;
  Ontology& operator=(Ontology&&) noexcept;
  ~Ontology();

  size_t size() const;
  bool hasName(const std::string& name) const;
  // Exact `name` -> `id`; throws soundspot::Error for an unknown name.
  const std::string& idOf(const std::string& name) const;
  const std::string& nameOf(const std::string& id) const;

  // Shortest path length between two classes given by exact name (0 for the
  // same class). Thread-safe; the breadth-first search from each class is
  // done once and cached.
  int distance(const std::string& nameA, const std::string& nameB) const;
  // Between label sets: the minimum over all pairs. Throws soundspot::Error
  // when a set is empty or holds an unknown name.
  int setDistance(const std::vector<std::string>& a, const std::vector<std::string>& b) const;

 private:
  struct Graph;
  explicit Ontology(std::unique_ptr<Graph> graph);
  std::unique_ptr<Graph> graph_;
};

}  // namespace soundspot::eval
