#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/common/Npy.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

using namespace soundspot;

class TestNpy : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip() {
    const auto dir = test::freshTempDir("npy");
    std::vector<float> v(3 * 4);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.5f * i - 1;
    writeNpy(dir / "a.npy", {3, 4}, v.data());
    const auto a = readNpy(dir / "a.npy");
    QCOMPARE(a.shape, (std::vector<int64_t>{3, 4}));
    QCOMPARE(a.data, v);
    // The header is padded to a multiple of 64 bytes as numpy requires.
    const auto bytes = readFile(dir / "a.npy");
    QCOMPARE((bytes.size() - v.size() * 4) % 64, size_t{0});
  }
  void truncatedIsRejected() {
    const auto dir = test::freshTempDir("npy");
    std::vector<float> v(100, 1.f);
    writeNpy(dir / "b.npy", {100}, v.data());
    auto bytes = readFile(dir / "b.npy");
    bytes.resize(bytes.size() - 7);
    writeFileAtomically(dir / "b.npy", bytes);
    QVERIFY_THROWS_EXCEPTION(Error, readNpy(dir / "b.npy"));
  }
  void atomicWriteLeavesNoTemporary() {
    const auto dir = test::freshTempDir("atomic");
    writeFileAtomically(dir / "x.txt", "hello");
    QCOMPARE(readFile(dir / "x.txt"), std::string("hello"));
    bool threw = false;
    try {
      writeAtomically(dir / "y.txt", [](const std::filesystem::path& tmp) {
        std::ofstream(tmp) << "partial";
        throw Error("y.txt", "simulated failure");
      });
    } catch (const Error&) { threw = true; }
    QVERIFY(threw);
    QVERIFY(!std::filesystem::exists(dir / "y.txt"));
    int files = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) { (void)e; ++files; }
    QCOMPARE(files, 1);
  }
};
SOUNDSPOT_TEST(TestNpy)
#include "test_npy.moc"
