// `webaccel bench store`: the command line around run_store_bench.
#include <fstream>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/store_bench.hpp"

namespace webaccel {

int store_bench_main(const cli_args& a) {
  return run_guarded("bench store", [&] {
    store_bench_options o;
    o.rounds = a.get_count("--rounds", o.rounds);
    o.seconds_per_round = double(a.get_count("--seconds", 20));
    o.browsers = a.get_count("--browsers", o.browsers);
    o.clients = a.get_count("--clients", o.clients);
    o.kind = a.get("--browser", o.kind);
    o.progress = [](const std::string& line) {
      std::cerr << "bench store: " << line << std::endl;
    };
    auto report = run_store_bench(load_cli_config(a, "bench store"), o);
    print_report(a, report);
    return 0;
  });
}

} // namespace webaccel
