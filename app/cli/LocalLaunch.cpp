#include "app/cli/LocalLaunch.h"

#include "core/common/Error.h"
#include "core/common/FreePort.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

namespace soundspot::cli {

namespace {

std::atomic<int> gForwardSignal{0};
void onSignal(int sig) { gForwardSignal = sig; }

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "ended abnormally";
}

}  // namespace

std::vector<std::string> ownCommandLine() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  size_t start = 0;
  while (start < all.size()) {
    const size_t end = all.find('\0', start);
    args.push_back(all.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (args.empty()) throw Error("/proc/self/cmdline", "cannot read this process's command line");
  return args;
}

std::vector<std::string> withoutOption(const std::vector<std::string>& args, const std::string& name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      ++i;  // and its value
      continue;
    }
    if (args[i].rfind(name + "=", 0) == 0) continue;
    out.push_back(args[i]);
  }
  return out;
}

void runLocalRanks(int nproc, std::vector<std::string> args) {
  const bool hasThreads = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--threads" || a.rfind("--threads=", 0) == 0;
  });
  if (!hasThreads) {
    // The ranks share the cores: N ranks with all cores each would thrash.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    args.insert(args.begin() + 1, {"--threads", std::to_string(std::max(1, cores / nproc))});
  }
  const int port = freeLoopbackPort();
  spdlog::info("starting {} local ranks (Gloo over loopback, rendezvous at 127.0.0.1:{})", nproc, port);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const pid_t launcher = ::getpid();
  std::vector<pid_t> pids(nproc, -1);
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGKILL);
      throw Error("--nproc", std::string("cannot start rank ") + std::to_string(r) + ": " + std::strerror(errno));
    }
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != launcher) ::_exit(1);  // the launcher died meanwhile
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      ::setenv("RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/proc/self/exe", argv.data());
      std::fprintf(stderr, "soundspot-cli: error: rank %d: cannot run /proc/self/exe: %s\n", r, std::strerror(errno));
      ::_exit(127);
    }
    pids[r] = pid;
  }
  int running = nproc, failedRank = -1, failedStatus = 0;
  auto stopAt = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    if (const int sig = gForwardSignal.exchange(0))
      for (pid_t p : pids)
        if (p > 0) ::kill(p, sig);
    if (std::chrono::steady_clock::now() >= stopAt)
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGKILL);
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const auto it = std::find(pids.begin(), pids.end(), done);
    if (it == pids.end()) continue;
    const int rank = static_cast<int>(it - pids.begin());
    *it = -1;
    --running;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && failedRank < 0) {
      failedRank = rank;
      failedStatus = status;
      if (running > 0) spdlog::error("rank {} {}: stopping the other {} rank(s)", rank, describe(status), running);
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGTERM);
      stopAt = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    }
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (failedRank >= 0)
    throw Error("rank " + std::to_string(failedRank) + " of " + std::to_string(nproc),
                describe(failedStatus) + " (its error is above); the other ranks were stopped");
}

void addDataParallelOptions(CLI::App* cmd, DataParallelArgs& args, const std::string& nprocHelp) {
  cmd->add_option("--nproc", args.nproc, nprocHelp)->check(CLI::Range(1, 256));
  cmd->add_option("--allreduce", args.allReduce,
                  "Data-parallel gradient averaging: flat (one all-reduce after backward) | bucketed (DDP's buckets, "
                  "overlapping backward)")
      ->capture_default_str()
      ->check(CLI::IsMember({"flat", "bucketed"}));
  cmd->add_option("--bucket-kb", args.bucketKb, "Bucket size for --allreduce bucketed, KiB")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
}

bool runAsLocalRanks(const DataParallelArgs& args) {
  if (args.nproc <= 1) return false;
  if (std::getenv("WORLD_SIZE")) throw UsageError("--nproc", "cannot start ranks inside a launcher that already set WORLD_SIZE");
  runLocalRanks(args.nproc, withoutOption(ownCommandLine(), "--nproc"));
  return true;
}

}  // namespace soundspot::cli
