// `webaccel bench serve`: the command line around run_serve_bench.
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/commands.hpp"
#include "tools/serve_bench.hpp"

namespace webaccel {

int serve_bench_main(const cli_args& a) {
  return run_guarded("bench serve", [&] {
    auto cfg = load_cli_config(a, "bench serve");
    serve_bench_options o;
    o.requests = a.get_count("--requests", o.requests, 1);
    o.seconds = double(a.get_count("--seconds", 5, 1));
    if (a.has("--clients")) {
      o.clients.clear();
      std::stringstream in{a.get("--clients")};
      std::string n;
      while (std::getline(in, n, ','))
        if (!n.empty())
          o.clients.push_back(std::stoul(n));
    }
    o.progress = [](const std::string& line) {
      std::cerr << "bench serve: " << line << std::endl;
    };
    auto report = run_serve_bench(cfg, o);
    print_report(a, report);
    return 0;
  });
}

} // namespace webaccel
