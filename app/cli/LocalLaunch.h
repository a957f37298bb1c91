#pragma once
// `--nproc N`: runs N copies of this program on this machine as the ranks
// of one data-parallel group, the way torchrun does (so no Python is needed
// on one machine): each child gets MASTER_ADDR=127.0.0.1, a free
// MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK and LOCAL_WORLD_SIZE, and the
// command line of this process without --nproc.
#include <string>
#include <vector>

namespace soundspot::cli {

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
