// `webaccel report`: what a metrics DB says about the runs it recorded.
#include <ctime>
#include <fstream>
#include <iostream>

#include "tools/cli_args.hpp"
#include "tools/commands.hpp"
#include "tools/report/report_html.hpp"
#include "tools/report/report_json.hpp"
#include "tools/report/report_markdown.hpp"
#include "tools/report/report_time.hpp"
#include "transport/store/sqlite_db.hpp"

namespace webaccel {

int report_main(const cli_args& a) {
  return run_guarded("report", [&] {
    if (!a.has("--db"))
      throw usage_error("--db FILE is required (the metrics DB to read)");
    auto format = a.get("--format", "markdown");
    if (format != "markdown" && format != "html" && format != "json")
      throw usage_error("--format: expected markdown, html or json, got '"
                        + format + "'");
    double since = 0;
    if (a.has("--since"))
      since = parse_since(a.get("--since"), double(std::time(nullptr)));
    auto history = read_metrics_history(a.get("--db"), since);
    std::string text;
    if (format == "json")
      text = history_to_json(history).dump(2) + "\n";
    else if (format == "html")
      text = render_html_report(history);
    else
      text = render_markdown_report(history);
    if (a.has("--out")) {
      std::ofstream out{a.get("--out"), std::ios::binary};
      if (!(out << text))
        throw std::runtime_error("cannot write " + a.get("--out"));
    } else {
      std::cout << text;
    }
    return 0;
  });
}

} // namespace webaccel
