// `webaccel bench health`: the command line around run_health_bench.
#include <fstream>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/health_bench.hpp"

namespace webaccel {

int health_bench_main(const cli_args& a) {
  return run_guarded("bench health", [&] {
    health_bench_options o;
    o.wedges = a.get_count("--wedges", o.wedges);
    o.clients = a.get_count("--clients", o.clients);
    o.kind = a.get("--browser", o.kind);
    o.progress = [](const std::string& line) {
      std::cerr << "bench health: " << line << std::endl;
    };
    auto report = run_health_bench(load_cli_config(a, "bench health"), o);
    print_report(a, report);
    return 0;
  });
}

} // namespace webaccel
