#include "core/common/Paths.h"

#include "core/common/Error.h"

#include <cstdlib>
#include <system_error>

namespace soundspot {
namespace fs = std::filesystem;

static fs::path executableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

fs::path resourceDir() {
  if (const char* env = std::getenv("SOUNDSPOT_DATA_DIR"); env && *env) return fs::path(env);
  const fs::path exeDir = executableDir();
  std::error_code ec;
  // Installed layout: <prefix>/bin/soundspot + <prefix>/share/soundspot.
  if (!exeDir.empty()) {
    const fs::path installed = exeDir.parent_path() / "share" / "soundspot";
    if (fs::is_directory(installed / "models", ec)) return installed;
  }
#ifdef SOUNDSPOT_DATA_INSTALL_DIR
  if (fs::is_directory(fs::path(SOUNDSPOT_DATA_INSTALL_DIR) / "models", ec)) return SOUNDSPOT_DATA_INSTALL_DIR;
#endif
#ifdef SOUNDSPOT_SOURCE_DIR
  return fs::path(SOUNDSPOT_SOURCE_DIR) / "resources";
#else
  return exeDir / "resources";
#endif
}

fs::path resourcePath(const std::string& relative) {
  const fs::path p = resourceDir() / relative;
  std::error_code ec;
  if (!fs::exists(p, ec)) throw Error(p.string(), "bundled resource not found (set SOUNDSPOT_DATA_DIR?)");
  return p;
}

}  // namespace soundspot
