// `soundspot-cli bench search`: index load time and brute-force query latency
// on synthetic L2-normalised embeddings (10 entries per synthetic clip), for
// each requested index size. Prints JSON.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/common/Progress.h"
#include "core/retrieval/Index.h"
#include "core/retrieval/Search.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <unistd.h>

namespace soundspot::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - 1)];
}

void fillNormalised(std::vector<float>& rows, int64_t dim, std::mt19937& rng) {
  std::normal_distribution<float> normal;
  for (auto& x : rows) x = normal(rng);
  for (size_t r = 0; r < rows.size(); r += static_cast<size_t>(dim)) {
    double s = 0;
    for (int64_t d = 0; d < dim; ++d) s += double(rows[r + d]) * rows[r + d];
    const float inv = static_cast<float>(1.0 / std::sqrt(std::max(s, 1e-24)));
    for (int64_t d = 0; d < dim; ++d) rows[r + d] *= inv;
  }
}

retrieval::Index syntheticIndex(int64_t entries, int64_t dim, std::mt19937& rng) {
  retrieval::Index index;
  index.dim = dim;
  index.model = {{"dir", "synthetic"}, {"arch", "none"}};
  index.sources = nlohmann::json::array({{{"kind", "synthetic"}, {"entries", entries}}});
  const char* labels[] = {"Dog", "Violin, fiddle", "Speech", "Guitar", "Cat"};
  const int64_t perClip = 10;
  std::vector<float> image(static_cast<size_t>(perClip * dim)), audio(image.size());
  for (int64_t first = 0, c = 0; first < entries; first += perClip, ++c) {
    const int64_t n = std::min(perClip, entries - first);
    std::vector<double> times(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) times[static_cast<size_t>(k)] = k + 0.5;
    image.resize(static_cast<size_t>(n * dim));
    audio.resize(image.size());
    fillNormalised(image, dim, rng);
    fillNormalised(audio, dim, rng);
    char id[32];
    std::snprintf(id, sizeof id, "clip-%06lld", static_cast<long long>(c));
    index.addClip({id, std::string("/synthetic/") + id + ".mp4", {labels[c % 5]}}, times, image.data(), audio.data());
  }
  return index;
}

struct BenchSearchArgs {
  std::vector<int64_t> entries{10000, 100000};
  int64_t dim = 128;
  int k = 30, repeats = 100, loads = 5;
};

void benchSearch(const BenchSearchArgs& a, const CancelToken& cancel) {
  const fs::path tmp = fs::temp_directory_path() / ("soundspot-bench-search-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  std::mt19937 rng(2018);
  nlohmann::json results = nlohmann::json::array();
  for (int64_t n : a.entries) {
    if (cancel.cancelled()) throw Error("bench search", "cancelled");
    spdlog::info("{} synthetic entries of {} floats", n, a.dim);
    const fs::path dir = tmp / ("index-" + std::to_string(n));
    {
      const retrieval::Index built = syntheticIndex(n, a.dim, rng);
      const auto s0 = Clock::now();
      retrieval::saveIndex(built, dir);
      spdlog::info("saved in {:.0f} ms", msSince(s0));
    }
    std::vector<double> loadMs;
    retrieval::Index index;
    for (int i = 0; i < a.loads; ++i) {
      const auto t0 = Clock::now();
      index = retrieval::loadIndex(dir);
      loadMs.push_back(msSince(t0));
    }
    std::vector<float> query(static_cast<size_t>(a.dim));
    nlohmann::json perSide = nlohmann::json::object();
    for (auto side : {retrieval::Modality::Audio, retrieval::Modality::Image}) {
      std::vector<double> ms;
      retrieval::search(index, std::vector<float>(static_cast<size_t>(a.dim), 1.f), side, a.k);  // warm-up
      for (int r = 0; r < a.repeats && !cancel.cancelled(); ++r) {
        fillNormalised(query, a.dim, rng);
        const auto t0 = Clock::now();
        const auto hits = retrieval::search(index, query, side, a.k);
        ms.push_back(msSince(t0));
        if (hits.empty()) throw Error("bench search", "no results");
      }
      if (!ms.empty())
        perSide[retrieval::toString(side)] = {{"median_ms", median(ms)}, {"p95_ms", percentile(ms, 0.95)}};
    }
    std::error_code ec;
    const auto bytes = fs::file_size(dir / retrieval::kImageFile, ec) + fs::file_size(dir / retrieval::kAudioFile, ec) +
                       fs::file_size(dir / retrieval::kClipsFile, ec);
    results.push_back({{"entries", n},
                       {"dim", a.dim},
                       {"k", a.k},
                       {"index_mib", bytes / 1048576.0},
                       {"load_ms_first", loadMs.front()},
                       {"load_ms_median", median(loadMs)},
                       {"query_ms", perSide},
                       {"repeats", a.repeats}});
    fs::remove_all(dir, ec);
  }
  std::printf("%s\n", results.dump(2).c_str());
}

CommandRegistration reg("bench", [](CLI::App& app) {
  auto a = std::make_shared<BenchSearchArgs>();
  auto* bench = parentCommand(app, "bench", "Measure the speed of parts of SoundSpot");
  auto* cmd = bench->add_subcommand("search", "Index load time and query latency on synthetic embeddings");
  cmd->add_option("--entries", a->entries, "Index sizes, comma-separated")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}))
      ->capture_default_str();
  cmd->add_option("--dim", a->dim, "Embedding size")->check(CLI::Range(int64_t{1}, int64_t{65536}))->capture_default_str();
  cmd->add_option("--k", a->k, "Results per query")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--repeats", a->repeats, "Queries per index size and side")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->callback([a] {
    static CancelToken cancel;
    cancelOnSignal(cancel);
    benchSearch(*a, cancel);
  });
});

}  // namespace
}  // namespace soundspot::cli
