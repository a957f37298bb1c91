#pragma once
// Still images through FFmpeg's own image codecs: PNG out (atomic), PNG and
// JPEG in. JPEG EXIF orientation is not applied.
#include "core/media/RgbFrame.h"

#include <filesystem>

namespace soundspot::media {

// Writes the frame as an 8-bit RGB PNG; atomic (temporary + rename).
void writePng(const std::filesystem::path& path, const RgbFrame& frame);

// Reads a PNG or JPEG as RGB (alpha dropped). Throws soundspot::Error naming
// the file when it is missing, not an image, or damaged.
RgbFrame readImage(const std::filesystem::path& path);

}  // namespace soundspot::media
