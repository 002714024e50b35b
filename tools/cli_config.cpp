#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "config/runtime_config.hpp"
#include "tools/cli_args.hpp"
#include "tools/commands.hpp"

namespace webaccel {

runtime_config load_cli_config(const cli_args& a, const std::string& command) {
  auto path = a.get("--config");
  auto cfg = path.empty() ? default_config() : load_config_file(path);
  apply_environment(cfg);
  if (a.has("--db"))
    cfg.metrics.db = std::filesystem::absolute(a.get("--db")).string();
  cfg.metrics.command = command;
  return cfg;
}

void print_report(const cli_args& a, const nlohmann::json& report) {
  std::cout << report.dump(2) << std::endl;
  if (a.has("--out"))
    std::ofstream{a.get("--out")} << report.dump(2) << "\n";
}

int run_guarded(const std::string& command, const std::function<int()>& body) {
  // stdout is for results (one JSON object a line with --json); the
  // library's logger writes to stderr.
  auto prefix = "webaccel " + command + ": ";
  try {
    return body();
  } catch (const usage_error& e) {
    std::cerr << prefix << e.what() << "\n";
    return 2;
  } catch (const config_error& e) {
    std::cerr << prefix << "config error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << prefix << e.what() << "\n";
    return 1;
  }
}

sigset_t block_stop_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  return stop_signals;
}

} // namespace webaccel
