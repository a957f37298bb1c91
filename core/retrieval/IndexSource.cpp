#include "core/retrieval/IndexSource.h"

#include "core/common/Error.h"
#include "core/data/Dataset.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace soundspot::retrieval {

namespace fs = std::filesystem;

bool isMediaExtension(const std::string& extension) {
  static const std::set<std::string> known = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg",
                                              ".ts",  ".mts", ".m2ts", ".flv", ".wmv", ".ogv", ".3gp", ".mxf"};
  return known.count(extension) > 0;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

fs::path absoluteNormal(const fs::path& p) {
  fs::path a = fs::absolute(p).lexically_normal();
  if (a.filename().empty()) a = a.parent_path();
  return a;
}

}  // namespace

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
  std::vector<fs::path> skip;
  for (const auto& e : exclude) skip.push_back(absoluteNormal(e));
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(src.path, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) throw Error(src.path.string(), "cannot list the folder: " + ec.message());
  size_t ignored = 0;
  for (; it != end; it.increment(ec)) {
    if (ec) {
      spdlog::warn("{}: {}", src.path.string(), ec.message());
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
    if (isMediaExtension(lower(p.extension().string()))) files.push_back(p);
    else ++ignored;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    fs::path rel = f.lexically_relative(src.path);
    src.clips.push_back({rel.generic_string(), f, {}});
  }
  if (ignored > 0) spdlog::debug("{}: {} files without a media extension ignored", src.path.string(), ignored);
  return src;
}

}  // namespace soundspot::retrieval
