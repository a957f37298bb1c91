#pragma once
// Wall-clock timing shared by the `bench` subcommands.
#include <chrono>

namespace soundspot::cli {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace soundspot::cli
