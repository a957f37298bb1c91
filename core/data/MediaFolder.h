#pragma once
// A plain folder of media files (no dataset.json) as a collection of clips:
// searched recursively, files recognised by extension, hidden files and
// folders skipped, in path order. For training, each file goes to train or
// val by a stable hash of its path relative to the folder, so adding files
// never moves the old ones. No media is opened here.
#include "core/data/Dataset.h"

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::data {

// Extensions (lowercase, with the dot) taken as media in a folder.
bool isMediaExtension(const std::string& extension);

struct MediaListing {
  std::vector<std::filesystem::path> files;  // absolute, sorted
  size_t ignored = 0;                        // regular files without a media extension
};

// Throws soundspot::Error when the folder cannot be listed. `exclude`: folders
// not to descend into (e.g. an output folder inside the media folder).
MediaListing listMediaFiles(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& exclude = {});

// "val" for about `valPercent` % of relative paths, else "train"; depends on
// the path alone.
std::string splitForPath(const std::string& relativePath, int valPercent = 10);

// The folder as a dataset: one clip per media file, id = the path relative to
// the folder (generic separators), split by splitForPath. No labels.
Dataset folderDataset(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& exclude = {});

// DIR/dataset.json when there is one, else folderDataset(DIR).
Dataset openDatasetOrFolder(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& exclude = {});

// 16 hex digits identifying the list of relative paths with their sizes and
// modification times: changes when a file is added, removed or rewritten.
std::string fileListHash(const Dataset& folder);

}  // namespace soundspot::data
