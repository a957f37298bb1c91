// `soundspot-cli search INDEX (--image FILE | --frame MEDIA@T | --audio MEDIA@T)`:
// the entries of an index closest to a query, by default in the other
// modality (a picture finds sounds, a sound finds pictures).
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/nn/Device.h"
#include "core/retrieval/Encoder.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/Query.h"
#include "core/retrieval/Search.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace soundspot::cli {
namespace {

namespace fs = std::filesystem;

struct SearchArgs {
  std::string index, image, frame, audio, in, model, device = "auto";
  int k = 30;
  bool json = false;
};

std::string joinLabels(const std::vector<std::string>& labels) {
  std::string s;
  for (const auto& l : labels) s += (s.empty() ? "" : "; ") + l;
  return s;
}

void runSearch(const SearchArgs& a) {
  const int given = !a.image.empty() + !a.frame.empty() + !a.audio.empty();
  if (given != 1) throw UsageError("search", "give exactly one query: --image FILE, --frame MEDIA@T or --audio MEDIA@T");
  if (a.k < 1) throw UsageError("--k", "must be at least 1");
  if (!a.in.empty()) retrieval::parseModality(a.in);
  if (!fs::is_directory(a.index)) throw UsageError(a.index, "no such index folder");
  retrieval::MediaTime at;
  if (!a.frame.empty()) at = retrieval::parseMediaTime(a.frame);
  if (!a.audio.empty()) at = retrieval::parseMediaTime(a.audio);
  const fs::path queryFile = !a.image.empty() ? fs::path(a.image) : at.media;
  if (!fs::exists(queryFile)) throw UsageError(queryFile.string(), "no such file");

  const auto t0 = std::chrono::steady_clock::now();
  const retrieval::Index index = retrieval::loadIndex(a.index);
  const double loadMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const retrieval::Modality queryModality = a.audio.empty() ? retrieval::Modality::Image : retrieval::Modality::Audio;
  const retrieval::Modality in = a.in.empty() ? retrieval::otherModality(queryModality) : retrieval::parseModality(a.in);

  std::string modelDir = a.model;
  if (modelDir.empty()) {
    modelDir = index.model.value("dir", "");
    if (modelDir.empty())
      throw Error((fs::path(a.index) / retrieval::kIndexFile).string(), "records no model folder: pass --model");
    if (!fs::is_directory(modelDir))
      throw Error(modelDir, "the model folder recorded by the index is gone: pass --model");
  }
  retrieval::Encoder encoder(modelDir, nn::resolveDevice(nn::parseDeviceChoice(a.device)));
  const std::string recorded = index.model.value("weights_hash", "");
  if (!recorded.empty() && recorded != encoder.summary().value("weights_hash", ""))
    spdlog::warn("{}: not the model that built the index ({}): scores may be meaningless", modelDir,
                 index.model.value("dir", "?"));
  if (encoder.arch() == "l3" && in != queryModality)
    spdlog::warn("L3-Net has no shared image-audio space: cross-modal scores are not meaningful without CCA");

  std::vector<float> query;
  if (!a.image.empty()) query = retrieval::imageFileQuery(encoder, a.image);
  else if (!a.frame.empty()) query = retrieval::frameQuery(encoder, at.media, at.time);
  else query = retrieval::audioQuery(encoder, at.media, at.time);
  if (static_cast<int64_t>(query.size()) != index.dim)
    throw Error(modelDir, "gives " + std::to_string(query.size()) + "-D embeddings but the index holds " +
                              std::to_string(index.dim) + "-D ones");

  const auto s0 = std::chrono::steady_clock::now();
  const std::vector<retrieval::SearchHit> hits = retrieval::search(index, query, in, a.k);
  const double searchMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count();
  spdlog::info("{} entries; loaded in {:.1f} ms, searched in {:.2f} ms", index.size(), loadMs, searchMs);

  if (a.json) {
    nlohmann::json results = nlohmann::json::array();
    for (size_t r = 0; r < hits.size(); ++r) {
      const auto& clip = index.clipOf(hits[r].entry);
      results.push_back({{"rank", r + 1},
                         {"score", hits[r].score},
                         {"entry", hits[r].entry},
                         {"clip", clip.id},
                         {"media", clip.media},
                         {"time", index.times[static_cast<size_t>(hits[r].entry)]},
                         {"labels", clip.labels}});
    }
    nlohmann::json q = {{"modality", retrieval::toString(queryModality)}, {"file", queryFile.string()}};
    if (a.image.empty()) q["time"] = at.time;
    const nlohmann::json out = {{"index", a.index}, {"entries", index.size()},      {"query", q},
                                {"in", retrieval::toString(in)}, {"k", a.k}, {"results", results}};
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("%4s  %7s  %-32s  %8s  %s\n", "rank", "score", "clip", "time", "labels");
  for (size_t r = 0; r < hits.size(); ++r) {
    const auto& clip = index.clipOf(hits[r].entry);
    std::printf("%4zu  %7.4f  %-32s  %7.1fs  %s\n", r + 1, hits[r].score, clip.id.c_str(),
                index.times[static_cast<size_t>(hits[r].entry)], joinLabels(clip.labels).c_str());
  }
}

CommandRegistration reg("search", [](CLI::App& app) {
  auto args = std::make_shared<SearchArgs>();
  auto* cmd = app.add_subcommand("search", "Find the index entries closest to an image, a frame or a second of sound");
  cmd->add_option("index", args->index, "Index folder (soundspot-cli index)")->required();
  // Checked in runSearch (not by CLI11) so that bad values exit with code 2.
  cmd->add_option("--image", args->image, "Query: a PNG or JPEG picture");
  cmd->add_option("--frame", args->frame, "Query: the frame a media file shows at T seconds (MEDIA@T)");
  cmd->add_option("--audio", args->audio, "Query: the 1 s of sound centred on T (MEDIA@T)");
  cmd->add_option("--in", args->in, "Side to search: image | audio (default: the other modality)");
  cmd->add_option("--k", args->k, "Number of results")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the results as JSON");
  cmd->add_option("--model", args->model, "Model folder for the query (default: the one that built the index)");
  cmd->add_option("--device", args->device, "auto | cpu | cuda")->capture_default_str();
  cmd->callback([args] { runSearch(*args); });
});

}  // namespace
}  // namespace soundspot::cli
