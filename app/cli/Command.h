#pragma once
// Each soundspot-cli subcommand lives in its own file and registers itself
// here with a static CommandRegistration; main() builds the CLI from them.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace soundspot::cli {

// Adds the subcommand to the app and sets its callback. The callback throws
// soundspot::Error / UsageError on failure; main() turns them into one line
// on stderr and exit code 1 / 2.
using CommandFactory = std::function<void(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(const std::string& name, CommandFactory factory);
};

std::vector<std::pair<std::string, CommandFactory>>& commandRegistry();

}  // namespace soundspot::cli

namespace soundspot::cli {
// Returns the subcommand `name` of app, creating it on first use; lets
// several files add sub-subcommands (e.g. `bench media`, `bench train`).
inline CLI::App* parentCommand(CLI::App& app, const std::string& name, const std::string& description) {
  for (auto* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (sub->get_name() == name) return sub;
  auto* cmd = app.add_subcommand(name, description);
  cmd->require_subcommand(1);
  return cmd;
}
}  // namespace soundspot::cli
