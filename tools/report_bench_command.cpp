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
    std::cout << report.dump(2) << std::endl;
    if (a.has("--out"))
      std::ofstream{a.get("--out")} << report.dump(2) << "\n";
    return 0;
  });
}

} // namespace webaccel
