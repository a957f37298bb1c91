// soundspot-cli: the headless tool. Subcommands register themselves (see
// Command.h); errors become one line on stderr and a non-zero exit code.
#include "app/cli/Command.h"
#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/nn/Device.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <exception>

namespace soundspot::cli {

std::vector<std::pair<std::string, CommandFactory>>& commandRegistry() {
  static std::vector<std::pair<std::string, CommandFactory>> registry;
  return registry;
}

CommandRegistration::CommandRegistration(const std::string& name, CommandFactory factory) {
  commandRegistry().emplace_back(name, std::move(factory));
}

}  // namespace soundspot::cli

int main(int argc, char** argv) {
  using namespace soundspot;
  CLI::App app{"SoundSpot: find the object that makes the sound in a video.\n"
               "Implements \"Objects that Sound\" (Arandjelovic & Zisserman, ECCV 2018).",
               "soundspot-cli"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("soundspot-cli ") + SOUNDSPOT_VERSION);
  int verbose = 0, quiet = 0, threads = 0;
  app.add_flag("-v,--verbose", verbose, "More log output (repeat for trace); or set SOUNDSPOT_LOG");
  app.add_flag("-q,--quiet", quiet, "Only errors (repeat for nothing)");
  app.add_option("--threads", threads, "CPU threads for the networks (default: all cores)")->check(CLI::NonNegativeNumber);
  app.parse_complete_callback([&] {
    initLogging(verbose - quiet);
    const int used = nn::useCpuThreads(threads);
    spdlog::debug("LibTorch uses {} CPU threads", used);
  });

  auto& registry = cli::commandRegistry();
  std::sort(registry.begin(), registry.end(), [](auto& a, auto& b) { return a.first < b.first; });
  for (auto& [name, factory] : registry) factory(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version exit 0; every other parse error is a usage error (2).
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "soundspot-cli: error: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "soundspot-cli: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "soundspot-cli: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
