// Shared main of every test executable: runs the registered class named on the
// command line (or all of them) with QTest::qExec.
#include "tests/support/TestRegistry.h"
#include "core/common/Log.h"

#include <QApplication>
#include <QtTest/QtTest>

#include <cstring>

namespace soundspot::test {
std::vector<TestEntry>& testRegistry() {
  static std::vector<TestEntry> registry;
  return registry;
}
}  // namespace soundspot::test

int main(int argc, char** argv) {
  // Widget tests need a QApplication; without a display they use the
  // offscreen platform (GL tests are run under Xvfb with QT_QPA_PLATFORM=xcb).
  if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM") && !qEnvironmentVariableIsSet("DISPLAY"))
    qputenv("QT_QPA_PLATFORM", "offscreen");
  // Training runs started by the tests keep their decoded clips out of the user's cache.
  if (!qEnvironmentVariableIsSet("SOUNDSPOT_CACHE_DIR"))
    qputenv("SOUNDSPOT_CACHE_DIR", (QDir::tempPath() + "/soundspot-test-clip-cache").toLocal8Bit());
  QApplication app(argc, argv);
  soundspot::initLogging(0);
  std::string only;
  std::vector<char*> qtArgs{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (only.empty() && argv[i][0] != '-') only = argv[i];
    else qtArgs.push_back(argv[i]);
  }
  int failed = 0, ran = 0;
  for (auto& entry : soundspot::test::testRegistry()) {
    if (!only.empty() && entry.name != only) continue;
    auto obj = entry.make();
    failed += QTest::qExec(obj.get(), static_cast<int>(qtArgs.size()), qtArgs.data()) != 0;
    ++ran;
  }
  if (ran == 0) {
    std::fprintf(stderr, "no test class named '%s'\n", only.c_str());
    return 2;
  }
  return failed ? 1 : 0;
}
