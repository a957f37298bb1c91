#include "core/retrieval/SyncedWrite.h"

#include "core/common/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

namespace soundspot::retrieval {

void writeBytesSynced(const std::filesystem::path& path, const void* data, size_t bytes, bool append) {
  std::FILE* f = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!f)
    throw Error(path.string(), std::string(append ? "cannot open for appending: " : "cannot open for writing: ") +
                                   std::strerror(errno));
  const size_t n = bytes ? std::fwrite(data, 1, bytes, f) : 0;
  const int flushErr = std::fflush(f);
  const int savedErrno = errno;
  const bool syncOk = ::fsync(::fileno(f)) == 0;
  std::fclose(f);
  if (n != bytes || flushErr != 0 || !syncOk)
    throw Error(path.string(), std::string("write failed: ") + std::strerror(savedErrno ? savedErrno : EIO));
}

}  // namespace soundspot::retrieval
