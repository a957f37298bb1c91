// `soundspot-cli ensemble --model A --model B --out DIR`: one model folder
// that holds several AVOL-Nets and loads as one (core/nn/EnsembleFolder.h):
// the viewer, localize, index, search, eval and report take it like any
// model folder.
#include "app/cli/Command.h"

#include "core/common/Error.h"
#include "core/nn/EnsembleFolder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

namespace soundspot::cli {
namespace {

struct EnsembleArgs {
  std::vector<std::string> models;
  std::string out;
};

void runEnsemble(const EnsembleArgs& a) {
  namespace fs = std::filesystem;
  std::vector<fs::path> members;
  nlohmann::json command = nlohmann::json::array({"soundspot-cli", "ensemble"});
  // The folder is replaced whole: never over something that is not a model
  // folder, nor over a folder that holds one of the members.
  if (fs::exists(a.out) && !fs::is_regular_file(fs::path(a.out) / "card.json") &&
      !(fs::is_directory(a.out) && fs::is_empty(a.out)))
    throw UsageError(a.out, "exists and is not a model folder (--out is replaced whole)");
  const fs::path out = fs::weakly_canonical(fs::absolute(a.out));
  for (const auto& m : a.models) {
    if (!fs::is_directory(m)) throw UsageError(m, "is not a model folder");
    const fs::path member = fs::weakly_canonical(fs::absolute(m));
    // `out` is `member` or a folder above it.
    if (std::mismatch(out.begin(), out.end(), member.begin(), member.end()).first == out.end())
      throw UsageError(a.out, "holds the member " + m + " (--out is replaced whole)");
    members.emplace_back(m);
    command.push_back("--model");
    command.push_back(m);
  }
  command.push_back("--out");
  command.push_back(a.out);
  nn::writeEnsembleFolder(members, a.out, {{"command", command}});
  std::printf("%s\n", nlohmann::json({{"ensemble", fs::absolute(a.out).lexically_normal().string()},
                                      {"members", members.size()}})
                          .dump()
                          .c_str());
}

CommandRegistration reg("ensemble", [](CLI::App& app) {
  auto args = std::make_shared<EnsembleArgs>();
  auto* cmd = app.add_subcommand(
      "ensemble", "Combine separately trained AVOL-Nets into one model folder (the mean of their maps)");
  cmd->add_option("--model", args->models, "AVOL-Net model folder; repeat it for every member")->required();
  cmd->add_option("--out", args->out, "Ensemble model folder to write (replaced atomically)")->required();
  cmd->callback([args] { runEnsemble(*args); });
});

}  // namespace
}  // namespace soundspot::cli
