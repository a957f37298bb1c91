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
  // fuzz_npy's finding: an empty array (shape (0,)) passed a null pointer to
  // memcpy (undefined behaviour). Then what fixing it turned up: a shape
  // whose element count overflows (signed overflow, then a huge allocation or
  // a wrong size check) and a dimension past int64 (std::out_of_range from
  // std::stoll instead of an Error).
  void emptyAndImpossibleShapes() {
    const auto dir = test::freshTempDir("npy");
    const float none = 0;
    writeNpy(dir / "empty.npy", {0}, &none);
    const auto empty = readNpy(dir / "empty.npy");
    QCOMPARE(empty.shape, (std::vector<int64_t>{0}));
    QVERIFY(empty.data.empty());
    writeNpy(dir / "empty2.npy", {3, 0}, &none);
    QCOMPARE(readNpy(dir / "empty2.npy").shape, (std::vector<int64_t>{3, 0}));

    // One float of data; a header whose shape claims more (the products wrap to 1 float, or to 0).
    auto withShape = [&](const std::string& name, const std::string& shape) {
      const float one = 1.f;
      writeNpy(dir / name, {1}, &one);
      std::string bytes = readFile(dir / name);
      const size_t at = bytes.find("(1,)");
      bytes.replace(at, 4, shape + std::string(4 > shape.size() ? 4 - shape.size() : 0, ' '));
      // Keep the header length field right (the header may have grown).
      const uint16_t len = static_cast<uint16_t>(bytes.size() - 10 - sizeof(float));
      bytes[8] = char(len & 0xff), bytes[9] = char(len >> 8);
      writeFileAtomically(dir / name, bytes);
      return dir / name;
    };
    for (const char* shape : {"(4611686018427387905,)", "(4294967296,4294967296)", "(2,4611686018427387904)",
                              "(99999999999999999999999,)"}) {
      try {
        readNpy(withShape("bad.npy", shape));
        QFAIL(shape);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find("bad.npy") != std::string::npos, e.what());
      }
    }
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
