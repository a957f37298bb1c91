// Ontology distances on a tiny hand-drawn graph and on known AudioSet pairs.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/eval/Ontology.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include <thread>

using namespace soundspot;
using eval::Ontology;

namespace {

//   A            E        (two top-level classes, joined by the implicit root)
//  / \           |
// B   C          F
//  \ /
//   D                     (D has two parents: a DAG)
nlohmann::json tinyOntology() {
  return nlohmann::json::parse(R"([
    {"id": "/a", "name": "A", "child_ids": ["/b", "/c"]},
    {"id": "/b", "name": "B", "child_ids": ["/d"]},
    {"id": "/c", "name": "C", "child_ids": ["/d"]},
    {"id": "/d", "name": "D", "child_ids": []},
    {"id": "/e", "name": "E", "child_ids": ["/f"]},
    {"id": "/f", "name": "F"}
  ])");
}

}  // namespace

class TestOntology : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void tinyGraphDistances() {
    const auto o = Ontology::fromJson(tinyOntology(), "tiny");
    QCOMPARE(o.size(), size_t(6));
    QCOMPARE(o.distance("A", "A"), 0);
    QCOMPARE(o.distance("A", "B"), 1);
    QCOMPARE(o.distance("B", "C"), 2);  // via A or via D
    QCOMPARE(o.distance("A", "D"), 2);
    QCOMPARE(o.distance("D", "B"), 1);  // child links are undirected
    QCOMPARE(o.distance("A", "E"), 2);  // top-level classes meet at the root
    QCOMPARE(o.distance("D", "F"), 5);  // D-B-A-root-E-F
    QCOMPARE(o.distance("F", "D"), 5);
  }

  void setDistanceIsTheMinimumOverPairs() {
    const auto o = Ontology::fromJson(tinyOntology(), "tiny");
    QCOMPARE(o.setDistance({"D", "F"}, {"C"}), 1);
    QCOMPARE(o.setDistance({"F"}, {"B", "E"}), 1);
    QCOMPARE(o.setDistance({"D"}, {"F", "A"}), 2);
    QVERIFY_THROWS_EXCEPTION(Error, o.setDistance({}, {"A"}));
  }

  void namesAndIds() {
    const auto o = Ontology::fromJson(tinyOntology(), "tiny");
    QCOMPARE(o.idOf("C"), std::string("/c"));
    QCOMPARE(o.nameOf("/e"), std::string("E"));
    QVERIFY(o.hasName("F"));
    QVERIFY(!o.hasName("f"));  // exact names only
    QVERIFY_THROWS_EXCEPTION(Error, o.idOf("Nope"));
    QVERIFY_THROWS_EXCEPTION(Error, o.distance("A", "Nope"));
  }

  void malformedOntologiesAreRejected() {
    auto dupName = tinyOntology();
    dupName[1]["name"] = "A";
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::fromJson(dupName, "dup"));
    auto badChild = tinyOntology();
    badChild[3]["child_ids"] = {"/missing"};
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::fromJson(badChild, "child"));
    auto cycle = tinyOntology();
    cycle.push_back({{"id", "/x"}, {"name", "X"}, {"child_ids", {"/y"}}});
    cycle.push_back({{"id", "/y"}, {"name", "Y"}, {"child_ids", {"/x"}}});
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::fromJson(cycle, "cycle"));
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::fromJson(nlohmann::json::object(), "object"));

    const auto dir = test::freshTempDir("ontology");
    writeFileAtomically(dir / "broken.json", "[{\"id\": ");
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::load(dir / "broken.json"));
    QVERIFY_THROWS_EXCEPTION(Error, Ontology::load(dir / "missing.json"));
  }

  void audioSetKnownPairs() {
    const auto o = Ontology::loadAudioSet();
    QCOMPARE(o.size(), size_t(632));
    QCOMPARE(o.idOf("Dog"), std::string("/m/0bt9lr"));
    QCOMPARE(o.distance("Dog", "Dog"), 0);
    QCOMPARE(o.distance("Bark", "Dog"), 1);
    QCOMPARE(o.distance("Dog", "Animal"), 2);              // Animal > Domestic animals, pets > Dog
    QCOMPARE(o.distance("Violin, fiddle", "Cello"), 2);    // siblings under Bowed string instrument
    QCOMPARE(o.distance("Violin, fiddle", "Dog"), 7);      // depth 3 + depth 2 + 2 through the root
    QCOMPARE(o.setDistance({"Violin, fiddle", "Bark"}, {"Dog"}), 1);
  }

  void concurrentQueriesAgree() {
    const auto o = Ontology::loadAudioSet();
    std::vector<int> results(8, -1);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] { results[t] = o.distance("Violin, fiddle", "Dog"); });
    for (auto& th : threads) th.join();
    for (int r : results) QCOMPARE(r, 7);
  }
};
SOUNDSPOT_TEST(TestOntology)
#include "test_ontology.moc"
