#pragma once
// Decoded clips kept on disk between training runs, so that a second run on
// the same videos starts training at once. One file per media file (named by
// a hash of its absolute path and the frames kept), holding what ClipCache
// keeps in memory: the 224x224 frames, their timestamps and the 48 kHz mono
// audio. An entry is used only when the media file's size and modification
// time still match and the payload's hash checks out; otherwise it is decoded
// again and the entry rewritten. The folder is safe to delete at any time.
// Writing is best effort: a full disk or a read-only folder costs a warning,
// never the run.
#include "core/data/ClipCache.h"

#include <atomic>
#include <filesystem>
#include <optional>

namespace soundspot::data {

class ClipDiskCache {
 public:
  explicit ClipDiskCache(std::filesystem::path dir);

  // $SOUNDSPOT_CACHE_DIR, else $XDG_CACHE_HOME/soundspot/clips, else
  // ~/.cache/soundspot/clips.
  static std::filesystem::path defaultDir();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path entryPath(const Clip& clip, int maxFrames) const;

  // The cached decode when present and current; nullopt otherwise (missing,
  // stale or damaged entries are not errors).
  std::optional<CachedClip> load(const Clip& clip, int maxFrames) const;
  // Writes (atomically) the entry for a clip that decoded.
  void store(const Clip& clip, int maxFrames, const CachedClip& decoded) const;

 private:
  std::filesystem::path dir_;
  mutable std::atomic<bool> warned_{false};
};

}  // namespace soundspot::data
