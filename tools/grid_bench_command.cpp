// `webaccel bench grid`: the command line around run_grid_bench.
#include <fstream>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/grid_bench.hpp"

namespace webaccel {

int grid_bench_main(const cli_args& a) {
  return run_guarded("bench grid", [&] {
    if (!a.has("--grid"))
      throw usage_error("--grid URL is required (the Selenium Grid's hub, "
                        "e.g. http://127.0.0.1:4444)");
    auto cfg = load_cli_config(a, "bench grid");
    grid_bench_options o;
    o.grid_url = a.get("--grid");
    o.sessions = a.get_count("--sessions", o.sessions, 1);
    o.requests = a.get_count("--requests", o.requests, 1);
    o.progress = [](const std::string& line) {
      std::cerr << "bench grid: " << line << std::endl;
    };
    auto report = run_grid_bench(cfg, o);
    print_report(a, report);
    return 0;
  });
}

} // namespace webaccel
