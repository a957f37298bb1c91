#include "core/nn/CohortNormalisation.h"

#include "core/common/Error.h"

#include <cstdlib>
#include <fstream>
#include <set>

namespace soundspot::nn {
namespace {
namespace F = torch::nn::functional;

const char* env(const char* name) { return std::getenv(name); }

// A file of float32 rows of `rowFloats` each, as a (rows x rowFloats) tensor.
torch::Tensor readRows(const char* variable, int64_t rowFloats) {
  const char* path = env(variable);
  if (!path) throw Error(variable, "not set, and the chosen SOUNDSPOT_COHORT_NORM mode needs it");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const int64_t bytes = in ? static_cast<int64_t>(in.tellg()) : -1;
  const int64_t rowBytes = rowFloats * 4;
  if (bytes <= 0 || bytes % rowBytes != 0)
    throw Error(path, "not a file of float32 rows of " + std::to_string(rowFloats) + " values (" + variable + ")");
  auto rows = torch::empty({bytes / rowBytes, rowFloats});
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(rows.data_ptr<float>()), bytes)) throw Error(path, "could not be read");
  return rows;
}

}  // namespace

std::shared_ptr<CohortNormalisation> CohortNormalisation::fromEnvironment() {
  const char* mode = env("SOUNDSPOT_COHORT_NORM");
  if (!mode || !*mode) return nullptr;
  static const std::set<std::string> modes = {"region-z", "region-mean", "region-top10", "map-mean", "audio-z", "audio-mean"};
  if (!modes.count(mode)) throw Error("SOUNDSPOT_COHORT_NORM", std::string("unknown mode '") + mode + "'");
  auto norm = std::make_shared<CohortNormalisation>();
  norm->mode_ = mode;
  if (norm->mode_.rfind("region-", 0) == 0) norm->audioCohort_ = readRows("SOUNDSPOT_AUDIO_COHORT", 128);
  if (norm->mode_.rfind("audio-", 0) == 0) norm->frameCohort_ = readRows("SOUNDSPOT_FRAME_COHORT", 128 * 196).view({-1, 128, 196});
  return norm;
}

void CohortNormalisation::dumpRegions(const torch::Tensor& regions) {
  const char* path = env("SOUNDSPOT_DUMP_REGIONS");
  if (!path) return;
  const auto unit = F::normalize(regions.detach().to(torch::kCPU, torch::kFloat), F::NormalizeFuncOptions().dim(1)).flatten(2).contiguous();
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(unit.data_ptr<float>()), static_cast<std::streamsize>(unit.numel() * 4));
  if (!out) throw Error(path, "could not be written (SOUNDSPOT_DUMP_REGIONS)");
}

torch::Tensor CohortNormalisation::apply(const torch::Tensor& similarity, const torch::Tensor& regions,
                                         const torch::Tensor& audio) const {
  auto s = similarity.to(torch::kFloat);
  if (mode_ == "map-mean") return s - s.mean({2, 3}, true) + 0.5;
  if (audioCohort_.defined()) {
    // Each region against every cohort sound: B x N x 14 x 14.
    const auto r = F::normalize(regions.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
    const auto cohort = torch::einsum("bchw,nc->bnhw", {r, audioCohort_.to(r.device())});
    const auto mean = cohort.mean(1, true);
    if (mode_ == "region-z") return (s - mean) / cohort.std(1, true, true).clamp_min(1e-4) * 0.1 + 0.5;
    if (mode_ == "region-mean") return s - mean + 0.5;
    return s - std::get<0>(cohort.topk(10, 1)).mean(1, true) + 0.5;  // region-top10
  }
  // Each audio against every cohort frame: its map maxima, B x K.
  const auto a = F::normalize(audio.to(torch::kFloat), F::NormalizeFuncOptions().dim(1));
  const auto maxima = torch::einsum("kcp,bc->bkp", {frameCohort_.to(a.device()), a}).amax(2);
  const auto mean = maxima.mean(1).view({-1, 1, 1, 1});
  if (mode_ == "audio-z") return (s - mean) / maxima.std(1, true).clamp_min(1e-4).view({-1, 1, 1, 1}) * 0.1 + 0.5;
  return s - mean + 0.5;  // audio-mean
}

}  // namespace soundspot::nn
