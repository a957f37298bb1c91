#include "core/common/Log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdlib>
#include <string>

namespace soundspot {

void initLogging(int verbosity) {
  // Log to stderr so that stdout stays clean for JSON and data output.
  static auto logger = [] {
    auto l = spdlog::stderr_color_mt("soundspot");
    l->set_pattern("%^[%l]%$ %v");
    spdlog::set_default_logger(l);
    return l;
  }();
  spdlog::level::level_enum level = spdlog::level::info;
  if (const char* env = std::getenv("SOUNDSPOT_LOG"); env && *env)
    level = spdlog::level::from_str(env);
  if (verbosity > 0) level = verbosity > 1 ? spdlog::level::trace : spdlog::level::debug;
  if (verbosity < 0) level = verbosity < -1 ? spdlog::level::off : spdlog::level::err;
  logger->set_level(level);
}

}  // namespace soundspot
