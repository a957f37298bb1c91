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

// Always installed (models may not be, until trained ones are bundled).
static bool isDataDir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "ontology" / "audioset-ontology.json", ec);
}

fs::path resourceDir() {
  if (const char* env = std::getenv("SOUNDSPOT_DATA_DIR"); env && *env) return fs::path(env);
  const fs::path exeDir = executableDir();
  // Installed layout: <prefix>/bin/soundspot + <prefix>/share/soundspot.
  if (!exeDir.empty()) {
    const fs::path installed = exeDir.parent_path() / "share" / "soundspot";
    if (isDataDir(installed)) return installed;
  }
#ifdef SOUNDSPOT_DATA_INSTALL_DIR
  if (isDataDir(SOUNDSPOT_DATA_INSTALL_DIR)) return SOUNDSPOT_DATA_INSTALL_DIR;
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

fs::path absoluteNormal(const fs::path& p) {
  fs::path a = fs::absolute(p).lexically_normal();
  if (a.filename().empty()) a = a.parent_path();
  return a;
}

}  // namespace soundspot
