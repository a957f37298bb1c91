#include "core/common/AtomicFile.h"

#include "core/common/Error.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdio.h>
#include <unistd.h>

namespace soundspot {
namespace fs = std::filesystem;

fs::path temporarySibling(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
  fs::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return tmp;
}

namespace {

// Temporary siblings left by a process that was killed (name.tmp-PID-N with
// PID no longer running) are litter: removed before the next write.
void removeStaleTemporarySiblings(const fs::path& target) {
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const long pid = std::strtol(rest.c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code removeEc;
    fs::remove_all(it->path(), removeEc);
    if (!removeEc) spdlog::info("{}: removed what a killed write left behind", it->path().string());
  }
}

// Puts the finished `tmp` folder in the place of `dir` so that `dir` exists
// at every instant (a kill never leaves neither): an atomic exchange where
// the filesystem has one (Linux renameat2), else two renames.
void replaceFolder(const fs::path& tmp, const fs::path& dir) {
#ifdef RENAME_EXCHANGE
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dir.c_str(), RENAME_EXCHANGE) == 0) {
    std::error_code ec;  // the old folder is now at `tmp`
    fs::remove_all(tmp, ec);
    if (ec) spdlog::warn("{}: could not remove the replaced folder: {}", tmp.string(), ec.message());
    return;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    throw fs::filesystem_error("cannot move the new folder into place", tmp, dir, std::error_code(errno, std::generic_category()));
#endif
  const fs::path old = temporarySibling(dir);
  fs::rename(dir, old);
  fs::rename(tmp, dir);
  std::error_code ec;  // the new folder is in place: a leftover is only worth a warning
  fs::remove_all(old, ec);
  if (ec) spdlog::warn("{}: could not remove the replaced folder: {}", old.string(), ec.message());
}

// A copy of `from` at `to` that shares the files' data (hard links; a real
// copy where links are refused), so that the original stays whole until the
// new folder replaces it.
void linkTree(const fs::path& from, const fs::path& to) {
  if (fs::is_directory(from)) {
    fs::create_directory(to);
    for (const auto& entry : fs::directory_iterator(from)) linkTree(entry.path(), to / entry.path().filename());
    return;
  }
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (ec) fs::copy_file(from, to);
}

}  // namespace

void writeAtomically(const fs::path& target, const std::function<void(const fs::path&)>& write) {
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(target.string(), "cannot create folder: " + ec.message());
  }
  removeStaleTemporarySiblings(target);
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
    removeStaleTemporarySiblings(dir);
    fs::create_directories(tmp);
    fill(tmp);
    if (fs::exists(dir)) {
      // Kept files are linked, not moved: until the swap, `dir` stays whole.
      if (others == OtherFiles::Keep)
        for (const auto& entry : fs::directory_iterator(dir))
          if (!fs::exists(tmp / entry.path().filename())) linkTree(entry.path(), tmp / entry.path().filename());
      replaceFolder(tmp, dir);
    } else {
      fs::rename(tmp, dir);
    }
  } catch (const fs::filesystem_error& e) {
    removeTmp();
    throw Error(dir.string(), "cannot write the " + what + ": " + e.what());
  } catch (const Error& e) {
    removeTmp();
    // Named by the folder the user asked for, not by its temporary twin.
    if (e.subject().find(".tmp-") == std::string::npos) throw;
    throw Error(dir.string(), "cannot write the " + what + " (" +
                                  fs::path(e.subject()).filename().string() + ": " + e.problem() + ")");
  } catch (...) {
    removeTmp();
    throw;
  }
}

std::string readFile(const fs::path& path, std::uintmax_t maxBytes, const std::string& what) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > maxBytes) {
    auto mib = [](std::uintmax_t b) { return std::to_string((b + (1u << 20) - 1) >> 20) + " MiB"; };
    throw Error(path.string(), "is " + mib(size) + ", more than a " + what + " may be (" + mib(maxBytes) +
                                   "): refused unread (a damaged or wrong file?)");
  }
  return readFile(path);
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
