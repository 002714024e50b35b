// `webaccel bench nodes`: the command line around run_node_bench.
#include <filesystem>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/node_bench.hpp"

namespace webaccel {

int node_bench_main(const cli_args& a) {
  return run_guarded("bench nodes", [&] {
    auto cfg = load_cli_config(a, "bench nodes");
    node_bench_options o;
    if (a.has("--config"))
      o.config_path = std::filesystem::absolute(a.get("--config"));
    o.requests = a.get_count("--requests", o.requests, 1);
    o.seconds = double(a.get_count("--seconds", 10, 1));
    o.inflight = a.get_count("--inflight", o.inflight, 2);
    o.progress = [](const std::string& line) {
      std::cerr << "bench nodes: " << line << std::endl;
    };
    print_report(a, run_node_bench(cfg, o));
    return 0;
  });
}

} // namespace webaccel
