#include "core/common/AtomicFile.h"

#include "core/common/Error.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace soundspot {
namespace fs = std::filesystem;

fs::path temporarySibling(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return tmp;
}

void writeAtomically(const fs::path& target, const std::function<void(const fs::path&)>& write) {
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(target.string(), "cannot create folder: " + ec.message());
  }
  const fs::path tmp = temporarySibling(target);
  try {
    write(tmp);
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) throw Error(target.string(), "cannot rename temporary file into place: " + ec.message());
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void writeFileAtomically(const fs::path& target, std::string_view bytes) {
  writeAtomically(target, [&](const fs::path& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(target.string(), std::string("cannot open for writing: ") + std::strerror(errno));
    const size_t n = std::fwrite(bytes.data(), 1, bytes.size(), f);
    const int flushErr = std::fflush(f);
    const int savedErrno = errno;
    const bool syncOk = ::fsync(::fileno(f)) == 0;
    std::fclose(f);
    if (n != bytes.size() || flushErr != 0 || !syncOk)
      throw Error(target.string(), std::string("write failed: ") + std::strerror(savedErrno ? savedErrno : EIO));
  });
}

void writeFolderAtomically(const fs::path& dir, const std::string& what, const std::function<void(const fs::path&)>& fill,
                           OtherFiles others) {
  const fs::path tmp = temporarySibling(dir);
  auto removeTmp = [&] {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  };
  try {
    if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
    fs::create_directories(tmp);
    fill(tmp);
    if (fs::exists(dir)) {
      if (others == OtherFiles::Keep)
        for (const auto& entry : fs::directory_iterator(dir))
          if (!fs::exists(tmp / entry.path().filename())) fs::rename(entry.path(), tmp / entry.path().filename());
      const fs::path old = temporarySibling(dir);
      fs::rename(dir, old);
      fs::rename(tmp, dir);
      std::error_code ec;  // the new folder is in place: a leftover is only worth a warning
      fs::remove_all(old, ec);
      if (ec) spdlog::warn("{}: could not remove the replaced {}: {}", old.string(), what, ec.message());
    } else {
      fs::rename(tmp, dir);
    }
  } catch (const fs::filesystem_error& e) {
    removeTmp();
    throw Error(dir.string(), "cannot write the " + what + ": " + e.what());
  } catch (...) {
    removeTmp();
    throw;
  }
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string(), "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path.string(), "read failed");
  return ss.str();
}

}  // namespace soundspot
