// `webaccel bench recovery`: the command line around run_recovery_bench.
#include <fstream>
#include <iostream>

#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/recovery_bench.hpp"

namespace webaccel {

int recovery_bench_main(const cli_args& a) {
  recovery_bench_options o;
  o.duration_s = double(a.get_count("--duration-s", 300));
  o.kill_every_s = double(a.get_count("--kill-every-s", 15));
  o.hangs = a.get_count("--hangs", o.hangs, 0);
  o.ooms = a.get_count("--ooms", o.ooms, 0);
  o.kind = a.get("--browser", o.kind);
  o.browsers = a.get_count("--browsers", o.browsers);
  o.models = a.get_count("--models", o.models);
  o.clients = a.get_count("--clients", o.clients);
  o.request_timeout_ms = static_cast<uint32_t>(
    a.get_count("--request-timeout-ms", o.request_timeout_ms));
  o.seed = static_cast<uint32_t>(a.get_count("--seed", o.seed, 0));
  o.progress = [](const std::string& line) {
    std::cerr << "bench recovery: " << line << std::endl;
  };
  auto report = run_recovery_bench(load_cli_config(a, "bench recovery"), o);
  print_report(a, report);
  return 0;
}

} // namespace webaccel
