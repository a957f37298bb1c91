#pragma once
// `--nproc N`: runs N copies of this program on this machine as the ranks
// of one data-parallel group, the way torchrun does (so no Python is needed
// on one machine): each child gets MASTER_ADDR=127.0.0.1, a free
// MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK and LOCAL_WORLD_SIZE, and the
// command line of this process without --nproc.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace soundspot::cli {

// The data-parallel options of `train` and `bench train`.
struct DataParallelArgs {
  int nproc = 0;
  std::string allReduce = "flat";  // training::parseAllReduce
  int bucketKb = 1024;
};
// Adds --nproc (with this help text), --allreduce and --bucket-kb.
void addDataParallelOptions(CLI::App* cmd, DataParallelArgs& args, const std::string& nprocHelp);
// With --nproc N > 1: starts N ranks of this command line (without --nproc),
// waits for them and returns true; false when this process should do the
// work itself. Refuses --nproc inside a launcher that set WORLD_SIZE.
bool runAsLocalRanks(const DataParallelArgs& args);

// This process's command line (argv[0] included), from /proc/self/cmdline.
std::vector<std::string> ownCommandLine();

// `args` without the option `name` and its value ("--nproc 2", "--nproc=2").
std::vector<std::string> withoutOption(const std::vector<std::string>& args, const std::string& name);

// Starts the ranks and waits for all. When one fails, the others are
// stopped (SIGTERM, then SIGKILL after 10 s) and an Error names the rank
// and how it ended (its own message is on stderr above). Ctrl-C/SIGTERM to
// the launcher reach every rank; a rank dies with its launcher (PDEATHSIG).
// Unless `args` sets --threads, each rank gets cores / N threads.
void runLocalRanks(int nproc, std::vector<std::string> args);

}  // namespace soundspot::cli
