#include "core/data/MediaFolder.h"

#include "core/common/Paths.h"
#include "core/common/Error.h"
#include "core/common/Hash.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace soundspot::data {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool isMediaExtension(const std::string& extension) {
  static const std::set<std::string> known = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg",
                                              ".ts",  ".mts", ".m2ts", ".flv", ".wmv", ".ogv", ".3gp", ".mxf"};
  return known.count(extension) > 0;
}

MediaListing listMediaFiles(const fs::path& dirIn, const std::vector<fs::path>& exclude) {
  const fs::path dir = absoluteNormal(dirIn);
  if (!fs::is_directory(dir)) throw Error(dirIn.string(), "is not a folder");
  std::vector<fs::path> skip;
  for (const auto& e : exclude)
    if (!e.empty()) skip.push_back(absoluteNormal(e));
  MediaListing out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw Error(dir.string(), "cannot list the folder: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) {
      spdlog::warn("{}: {}", dir.string(), ec.message());
      ec.clear();
      continue;
    }
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      if ((!name.empty() && name[0] == '.') || std::find(skip.begin(), skip.end(), p.lexically_normal()) != skip.end())
        it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || name.empty() || name[0] == '.') continue;
    if (isMediaExtension(lower(p.extension().string()))) out.files.push_back(p);
    else ++out.ignored;
  }
  std::sort(out.files.begin(), out.files.end());
  return out;
}

std::string splitForPath(const std::string& relativePath, int valPercent) {
  const uint64_t h = hashBytes(relativePath.data(), relativePath.size(), 0x5B117);
  return static_cast<int>(h % 100) < valPercent ? "val" : "train";
}

Dataset folderDataset(const fs::path& dirIn, const std::vector<fs::path>& exclude) {
  Dataset ds;
  ds.dir = absoluteNormal(dirIn);
  ds.name = ds.dir.filename().string();
  ds.plainFolder = true;
  const MediaListing listing = listMediaFiles(ds.dir, exclude);
  for (const fs::path& f : listing.files) {
    Clip c;
    c.id = f.lexically_relative(ds.dir).generic_string();
    c.media = f;
    c.split = splitForPath(c.id);
    ds.clips.push_back(std::move(c));
  }
  if (listing.ignored > 0)
    spdlog::info("{}: {} file(s) without a video extension ignored", ds.dir.string(), listing.ignored);
  return ds;
}

Dataset openDatasetOrFolder(const fs::path& dir, const std::vector<fs::path>& exclude) {
  if (fs::is_regular_file(dir / "dataset.json")) return loadDataset(dir);
  return folderDataset(dir, exclude);
}

std::string fileListHash(const Dataset& folder) {
  uint64_t h = 0;
  for (const Clip& c : folder.clips) {
    h = hashBytes(c.id.data(), c.id.size() + 1, h);
    std::error_code ec;
    const uint64_t size = fs::file_size(c.media, ec);
    const auto mtime = fs::last_write_time(c.media, ec).time_since_epoch().count();
    h = hashBytes(&size, sizeof size, h);
    h = hashBytes(&mtime, sizeof mtime, h);
  }
  return hashHex(h);
}

}  // namespace soundspot::data
