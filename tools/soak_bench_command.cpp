// `webaccel bench soak`: the command line around run_soak_bench.
#include <fstream>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/soak_bench.hpp"

namespace webaccel {

int soak_bench_main(const cli_args& a) {
  soak_bench_options o;
  o.minutes = double(a.get_count("--minutes", 15));
  o.browsers = a.get_count("--browsers", o.browsers);
  o.browser_lifetime_s = static_cast<uint32_t>(
    a.get_count("--browser-lifetime-s", o.browser_lifetime_s));
  o.clients = a.get_count("--clients", o.clients);
  o.sample_every_s = double(a.get_count("--sample-every-s", 10));
  o.kind = a.get("--browser", o.kind);
  o.progress = [](const std::string& line) {
    std::cerr << "bench soak: " << line << std::endl;
  };
  auto report = run_soak_bench(load_cli_config(a, "bench soak"), o);
  print_report(a, report);
  return 0;
}

} // namespace webaccel
