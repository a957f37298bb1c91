#include "core/retrieval/IndexSource.h"

#include "core/common/Paths.h"
#include "core/common/Error.h"
#include "core/data/Dataset.h"
#include "core/data/MediaFolder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace soundspot::retrieval {

namespace fs = std::filesystem;

IndexSource scanSource(const fs::path& pathIn, const std::string& split, const std::vector<fs::path>& exclude) {
  IndexSource src;
  src.path = absoluteNormal(pathIn);
  src.split = split;
  if (!fs::exists(src.path)) throw Error(pathIn.string(), "no such file or folder");

  if (fs::is_regular_file(src.path)) {
    src.kind = "file";
    src.name = src.path.filename().string();
    src.clips.push_back({src.path.stem().string(), src.path, {}});
    return src;
  }
  if (fs::is_regular_file(src.path / "dataset.json")) {
    const data::Dataset ds = data::loadDataset(src.path);
    src.kind = "dataset";
    src.name = ds.name.empty() ? src.path.filename().string() : ds.name;
    for (const data::Clip& c : ds.split(split)) src.clips.push_back({c.id, c.media, c.labels});
    return src;
  }
  if (!split.empty()) throw UsageError(pathIn.string(), "--split needs a dataset folder (dataset.json)");

  src.kind = "folder";
  src.name = src.path.filename().string();
  const data::MediaListing listing = data::listMediaFiles(src.path, exclude);
  for (const auto& f : listing.files) {
    fs::path rel = f.lexically_relative(src.path);
    src.clips.push_back({rel.generic_string(), f, {}});
  }
  if (listing.ignored > 0)
    spdlog::debug("{}: {} files without a media extension ignored", src.path.string(), listing.ignored);
  return src;
}

}  // namespace soundspot::retrieval
