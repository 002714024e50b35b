// The built `webaccel` CLI as a child process group of a test.
#pragma once

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "transport/browser/process.hpp"

namespace webaccel::test {

/// The built CLI (WEBACCEL_CLI).
inline std::string cli() {
  auto path = std::getenv("WEBACCEL_CLI");
  REQUIRE_MESSAGE(path != nullptr, "WEBACCEL_CLI names the built webaccel");
  return path;
}

/// `webaccel ARGS...` as a child process group whose output goes to `log`,
/// with the temp dir inside `tmp` (a short path: Chromium's socket lives
/// two levels below it). `on_exit` gets its waitpid status.
inline std::unique_ptr<process> start_cli(
  std::vector<std::string> args, const std::string& log, const std::string& tmp,
  std::vector<std::string> env = {},
  process::exit_handler on_exit = [](int, std::string) {}) {
  process_options opts;
  opts.executable = cli();
  opts.args = std::move(args);
  opts.log_file = log;
  opts.env = std::move(env);
  opts.env.push_back("TMPDIR=" + tmp);
  std::string error;
  auto p = process::start(opts, std::move(on_exit), error);
  REQUIRE_MESSAGE(p, error);
  return p;
}

} // namespace webaccel::test
