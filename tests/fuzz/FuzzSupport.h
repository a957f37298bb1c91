#pragma once
// Shared by the fuzz targets (header only: each target is one file plus this).
// Parsers that only take a path get their input through a scratch folder that
// belongs to the process and is reused for every input; inputs that stand for
// several files are split at kFileSeparator.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace soundspot::fuzz {

// Between the files of a multi-file input (also in the dictionaries).
constexpr std::string_view kFileSeparator = "\n#--SOUNDSPOT-FUZZ-FILE--#\n";

// No log output (libFuzzer's own lines stay readable and formatting log
// lines costs time); SOUNDSPOT_LOG=debug turns them back on. Every target
// calls it first; only the first call does anything.
inline void quietLogs() {
  static const bool once = [] {
    const char* env = std::getenv("SOUNDSPOT_LOG");
    spdlog::set_level(env && std::string_view(env) == "debug" ? spdlog::level::debug : spdlog::level::off);
    return true;
  }();
  (void)once;
}

// $TMPDIR/soundspot-fuzz-<pid>, created on first use and removed at a normal
// exit (tests/fuzz/run.sh points TMPDIR at a folder it removes afterwards,
// which covers crashes).
inline const std::filesystem::path& scratchDir() {
  struct Scratch {
    std::filesystem::path dir;
    Scratch() {
      dir = std::filesystem::temp_directory_path() / ("soundspot-fuzz-" + std::to_string(::getpid()));
      std::filesystem::create_directories(dir);
    }
    ~Scratch() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  };
  static Scratch scratch;
  return scratch.dir;
}

// A target's input file in the scratch folder, or a folder there (created)
// for inputs that stand for several files.
inline std::filesystem::path scratchFile(std::string_view name) { return scratchDir() / name; }
inline std::filesystem::path scratchFolder(std::string_view name) {
  auto dir = scratchDir() / name;
  std::filesystem::create_directories(dir);
  return dir;
}

// What a target does with the soundspot::Error that rejects an input: nothing,
// unless SOUNDSPOT_FUZZ_VERBOSE is set (to see why the seeds are accepted or
// rejected: fuzz_x -runs=0 corpus/fuzz_x).
inline void rejected(const std::exception& e) {
  static const bool verbose = std::getenv("SOUNDSPOT_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "rejected: %s\n", e.what());
}

// Plain write, no fsync or rename: this runs thousands of times a second.
inline void writeBytes(const std::filesystem::path& path, std::string_view bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();  // the scratch folder must be writable
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

// The input cut at every kFileSeparator: file i of a multi-file input is
// part i; parts past the last one given are missing files.
inline std::vector<std::string> splitFiles(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t from = 0;
  for (;;) {
    const size_t at = in.find(kFileSeparator, from);
    if (at == std::string_view::npos) break;
    parts.emplace_back(in.substr(from, at - from));
    from = at + kFileSeparator.size();
  }
  parts.emplace_back(in.substr(from));
  return parts;
}

// Writes parts[i] to dir/names[i]; names without a part are removed, so that
// nothing of the previous input is left.
inline void writeFiles(const std::filesystem::path& dir, const std::vector<std::string>& parts,
                       const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i < parts.size()) {
      writeBytes(dir / names[i], parts[i]);
    } else {
      std::error_code ec;
      std::filesystem::remove(dir / names[i], ec);
    }
  }
}

}  // namespace soundspot::fuzz
