#pragma once
// Writes (or appends) bytes and fsyncs them, so that an index file or a
// partial build's log is on disk before the step that relies on it.
#include <cstddef>
#include <filesystem>

namespace soundspot::retrieval {

// Throws soundspot::Error naming the file when it cannot be written in full.
void writeBytesSynced(const std::filesystem::path& path, const void* data, size_t bytes, bool append);

}  // namespace soundspot::retrieval
