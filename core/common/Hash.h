#pragma once
// A fast non-cryptographic 64-bit content hash (xxHash64-style rounds over
// four lanes, several GB/s): detects damaged index files and tells whether a
// model folder changed between a partial build and its resumption; names
// clip-cache entries and fingerprints training folders. Not a
// security measure.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace soundspot {

uint64_t hashBytes(const void* data, size_t size, uint64_t seed = 0);
// 16 lowercase hex digits.
std::string hashHex(uint64_t hash);
// The hash of a whole file's bytes; throws soundspot::Error naming the file.
uint64_t hashFile(const std::filesystem::path& path);

}  // namespace soundspot
