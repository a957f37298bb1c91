#include "tests/support/Fixtures.h"

#include <QDir>
#include <QTemporaryDir>

#include <fstream>
#include <memory>
#include <vector>

namespace soundspot::test {

std::filesystem::path freshTempDir(const std::string& tag) {
  // Kept alive until exit so the folder and its files disappear afterwards.
  static std::vector<std::unique_ptr<QTemporaryDir>> dirs;
  dirs.push_back(std::make_unique<QTemporaryDir>(QDir::tempPath() + "/soundspot-" + QString::fromStdString(tag) + "-XXXXXX"));
  return dirs.back()->path().toStdString();
}

void flipByte(const std::filesystem::path& file, size_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x40));
}

}  // namespace soundspot::test
