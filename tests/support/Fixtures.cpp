#include "tests/support/Fixtures.h"

#include <QDir>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace soundspot::test {

std::filesystem::path freshTempDir(const std::string& tag) {
  // Kept alive until exit so the folder and its files disappear afterwards.
  static std::vector<std::unique_ptr<QTemporaryDir>> dirs;
  dirs.push_back(std::make_unique<QTemporaryDir>(QDir::tempPath() + "/soundspot-" + QString::fromStdString(tag) + "-XXXXXX"));
  return dirs.back()->path().toStdString();
}

}  // namespace soundspot::test
