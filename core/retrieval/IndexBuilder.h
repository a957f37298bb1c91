#pragma once
// Builds an index folder (Index.h) from a source (IndexSource.h) with a model
// folder: one entry per second of each clip, entry k (k = 0 .. floor(duration)-1;
// one entry at the middle of a clip shorter than 1 s) being the frame shown at
// k + 0.5 s and the 1 s of sound centred on it, embedded by the model and
// L2-normalised. Media that cannot be decoded, or lacks a video or an audio
// stream, is skipped with a warning and counted.
//
// Resumable: while it runs, the build keeps its state in the sibling folder
// OUT.partial (partialBuildDir), committed after every finished clip; a later
// call with the same source and model continues from there (any other source
// or model starts over). Cancelling keeps the state; the finished index is
// written atomically (temporary folder + rename) and OUT.partial removed.
// Needs FFmpeg (without it buildIndex throws Error).
#include "core/common/Progress.h"
#include "core/retrieval/IndexSource.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace soundspot::retrieval {

struct BuildOptions {
  std::string device = "cpu";  // "cpu" | "cuda"
  int batchSize = 16;          // entries per inference batch (within a clip)
};

struct BuildResult {
  int64_t entries = 0;       // entries in the finished index
  int64_t clips = 0;         // clips indexed
  int64_t skipped = 0;       // media skipped (undecodable, no video or audio)
  int64_t resumedClips = 0;  // clips (indexed or skipped) taken over from a partial build
  int64_t newEntries = 0;    // entries computed by this call
  double seconds = 0;        // wall time of this call
};

// `progress` counts clips: construct it with total = source.clips.size();
// it is set to the number of clips done (resumed clips included). Throws
// UsageError when outDir exists and is neither empty nor an index, Error on
// cancellation ("run again to resume") and for a bad model folder.
BuildResult buildIndex(const IndexSource& source, const std::filesystem::path& modelDir,
                       const std::filesystem::path& outDir, Progress& progress, const CancelToken* cancel = nullptr,
                       const BuildOptions& options = {});
// Scans `source` first (scanSource, excluding outDir and its partial folder).
BuildResult buildIndex(const std::filesystem::path& source, const std::filesystem::path& modelDir,
                       const std::filesystem::path& outDir, Progress& progress, const CancelToken* cancel = nullptr,
                       const BuildOptions& options = {});

}  // namespace soundspot::retrieval
