// `webaccel bench report`: the command line around run_report_bench.
#include <fstream>
#include <iostream>

#include "tools/commands.hpp"
#include "tools/report_bench.hpp"

namespace webaccel {

int report_bench_main(const cli_args& a) {
  return run_guarded("bench report", [&] {
    report_bench_options o;
    o.rows = a.get_count("--rows", o.rows);
    o.progress = [](const std::string& line) {
      std::cerr << "bench report: " << line << std::endl;
    };
    auto report = run_report_bench(o);
    print_report(a, report);
    return 0;
  });
}

} // namespace webaccel
