#pragma once
// Logging set-up shared by every executable: spdlog, level from the command
// line (--verbose / --quiet) or from the SOUNDSPOT_LOG variable
// (trace, debug, info, warn, error, off).
#include <spdlog/spdlog.h>

namespace soundspot {

// verbosity: +1 per --verbose, -1 per --quiet. SOUNDSPOT_LOG, when set,
// wins over the default but not over an explicit flag.
void initLogging(int verbosity = 0);

}  // namespace soundspot
