#pragma once
// Query embeddings for search(): from a still image, from the frame a media
// file shows at time T, or from the 1 s of its sound centred on T, encoded
// exactly as the index builder encodes its entries. Plain C++ header; the
// media parts need FFmpeg (without it they throw Error).
#include "core/retrieval/Encoder.h"

#include <filesystem>
#include <string>
#include <vector>

namespace soundspot::media {
class MediaReader;
}

namespace soundspot::retrieval {

// "MEDIA@T": T in seconds ("12.5") or [h:]mm:ss[.f] ("1:02.5"); the last '@'
// separates them. Throws UsageError naming the spec.
struct MediaTime {
  std::filesystem::path media;
  double time = 0;
};
MediaTime parseMediaTime(const std::string& spec);

// L2-normalised, encoder.dim() floats. Throw Error naming the file.
std::vector<float> imageFileQuery(Encoder& encoder, const std::filesystem::path& image);
std::vector<float> frameQuery(Encoder& encoder, const std::filesystem::path& media, double time);
std::vector<float> audioQuery(Encoder& encoder, const std::filesystem::path& media, double time);

// The log-spectrogram (257 x 200) of the 1 s of sound centred on `centre`
// (zeros outside the audio). FFmpeg builds only.
std::vector<float> spectrogramAt(media::MediaReader& reader, double centre);

}  // namespace soundspot::retrieval
