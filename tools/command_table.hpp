// Every `webaccel` command in one table: its name, what it does and each
// option it takes. The parser, `webaccel --help` and `webaccel COMMAND
// --help` all read this table, so an option cannot be accepted without
// being documented, nor documented without being accepted.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "tools/cli_args.hpp"

namespace webaccel {

/// One option of a command.
struct option_spec {
  std::string flag;
  /// Name of its value ("FILE", "N"); empty for a switch.
  std::string value;
  std::string help;
};

/// One command, such as "run" or "bench recovery".
struct command_spec {
  std::string name;
  /// One line for the overview.
  std::string summary;
  /// A paragraph for `webaccel COMMAND --help`.
  std::string description;
  std::vector<option_spec> options;
  /// Runs the command on its parsed options; returns the exit code.
  std::function<int(const cli_args&)> body;
};

/// Every command, in the order the overview lists them.
const std::vector<command_spec>& commands();

/// The overview: every command with its options on one line.
std::string usage_text();

/// The full help of one command.
std::string help_text(const command_spec& command);

/// Parses `args` with exactly the options of `command`. @throws usage_error
cli_args parse_options(const command_spec& command,
                       const std::vector<std::string>& args);

/// Runs the command `args` names (the words after `webaccel`). Help goes
/// to `out`; usage errors to `err`. Returns the exit code: 0 for help,
/// 2 for bad usage, else the command's.
int dispatch(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err);

} // namespace webaccel
