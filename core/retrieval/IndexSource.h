#pragma once
// What an index is built from: a dataset folder (dataset.json, see
// shared/specs/dataset-format.md), any folder of media files (searched
// recursively, recognised by extension, in path order), or one media file.
// No media is opened here.
#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::retrieval {

struct SourceClip {
  std::string id;               // dataset clip id; else the path relative to the folder
  std::filesystem::path media;  // absolute
  std::vector<std::string> labels;
};

struct IndexSource {
  std::filesystem::path path;  // absolute
  std::string kind;            // "dataset" | "folder" | "file"
  std::string name;            // the dataset's name, else the folder or file name
  std::string split;           // dataset sources: the split asked for ("" = all clips)
  std::vector<SourceClip> clips;
};

// Throws soundspot::Error for a missing path or a malformed dataset.json.
// `exclude`: folders not to descend into (e.g. the index being written).
IndexSource scanSource(const std::filesystem::path& path, const std::string& split = {},
                       const std::vector<std::filesystem::path>& exclude = {});

}  // namespace soundspot::retrieval
