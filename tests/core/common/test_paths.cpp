#include "core/common/Paths.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <filesystem>

using namespace soundspot;
namespace fs = std::filesystem;

class TestPaths : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void absoluteNormalNamesOneFolderOneWay() {
    // The index and the media folder compare folders by this form: a trailing
    // separator, "." or ".." must not make one folder look like two.
    const fs::path cwd = fs::current_path();
    QCOMPARE(absoluteNormal("clips/"), cwd / "clips");
    QCOMPARE(absoluteNormal("./clips"), cwd / "clips");
    QCOMPARE(absoluteNormal("a/../clips/."), cwd / "clips");
    QCOMPARE(absoluteNormal("/x/y//z/"), fs::path("/x/y/z"));
    QCOMPARE(absoluteNormal("/"), fs::path("/"));
  }
};
SOUNDSPOT_TEST(TestPaths)
#include "test_paths.moc"
