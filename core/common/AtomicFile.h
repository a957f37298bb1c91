#pragma once
// Never leave a half-written output: write to a temporary file beside the
// target, flush, and rename over the target only when everything succeeded.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace soundspot {

// A path in the target's folder that is unique to this process and call.
std::filesystem::path temporarySibling(const std::filesystem::path& target);

// Calls write(tmpPath); on success renames tmpPath to target, on any
// exception removes tmpPath and rethrows. Throws soundspot::Error when the
// data cannot be written (e.g. disk full) naming the target.
void writeAtomically(const std::filesystem::path& target,
                     const std::function<void(const std::filesystem::path& tmp)>& write);

// Convenience: atomically writes bytes to target.
void writeFileAtomically(const std::filesystem::path& target, std::string_view bytes);

// The same for a whole folder: fill(tmp) writes into a fresh temporary folder
// beside `dir`, which then replaces `dir`. With KeepOtherFiles, files of the
// old folder that fill did not write (a checkpoint, metrics) move over. On
// failure the temporary folder is removed; filesystem errors become
// soundspot::Error naming `dir` ("cannot write the <what>: ...").
enum class OtherFiles { Drop, Keep };
void writeFolderAtomically(const std::filesystem::path& dir, const std::string& what,
                           const std::function<void(const std::filesystem::path& tmp)>& fill,
                           OtherFiles others = OtherFiles::Drop);

// Reads a whole file; throws soundspot::Error naming the file when it cannot.
std::string readFile(const std::filesystem::path& path);
// The same for files from outside: a file larger than maxBytes is refused
// (naming the file, what it should be and the limit) before it is read, so a
// damaged or hostile file cannot make us allocate without bound.
std::string readFile(const std::filesystem::path& path, std::uintmax_t maxBytes, const std::string& what);

}  // namespace soundspot
