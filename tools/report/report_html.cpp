#include "tools/report/report_html.hpp"

#include <map>
#include <sstream>

#include <fmt/format.h>

#include "tools/report/report_markdown.hpp"
#include "tools/report/svg_chart.hpp"

namespace webaccel {

namespace {

std::string throughput_chart(const metrics_history& h) {
  std::map<std::string, chart_series> by_placement;
  for (auto& p : h.throughput) {
    auto key = p.model + " on " + p.browser + "/" + p.platform;
    auto& s = by_placement[key];
    s.label = key;
    s.points.emplace_back(double(p.minute), double(p.requests) / 60.0);
  }
  std::vector<chart_series> series;
  for (auto& [key, s] : by_placement) {
    s.colour = palette(series.size());
    series.push_back(s);
  }
  return svg_line_chart(series, "req/s", true);
}

std::string memory_chart(const metrics_history& h) {
  std::map<uint64_t, chart_series> by_browser;
  for (auto& m : h.memory) {
    auto& s = by_browser[m.connection];
    s.label = m.kind + " #" + std::to_string(m.connection);
    s.points.emplace_back(m.at, double(m.memory_bytes) / (1 << 20));
  }
  std::vector<chart_series> series;
  for (auto& [id, s] : by_browser) {
    s.colour = palette(series.size());
    series.push_back(s);
  }
  return svg_line_chart(series, "MiB", true);
}

std::string recovery_chart(const metrics_summary& s) {
  std::vector<std::pair<std::string, double>> bars;
  for (auto& r : s.recoveries)
    bars.emplace_back(r.category, double(r.attempts));
  return svg_bar_chart(bars, "#d62728", "attempts");
}

std::string timeline_chart(const metrics_history& h) {
  std::vector<timeline_bar> bars;
  auto last = h.summary.to_s;
  for (auto& b : h.browsers) {
    auto from = b.ready_at > 0 ? b.ready_at : b.ended_at;
    auto to = b.ended_at > 0 ? b.ended_at : last;
    auto colour = b.end_category == "retired"         ? "#2ca02c"
                  : b.end_category == "shutting_down" ? "#1f77b4"
                  : b.ended_at > 0                    ? "#d62728"
                                                      : "#7f7f7f";
    bars.push_back({b.kind + " #" + std::to_string(b.connection), from, to,
                    colour,
                    b.kind + " " + b.version + ": "
                      + (b.end_reason.empty() ? "running" : b.end_reason)});
  }
  return svg_timeline(bars);
}

std::string figures_row(const std::string& first, const request_figures& f) {
  return fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td>"
                     "<td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td>"
                     "<td>{:.2f}</td></tr>",
                     first, f.requests, f.failures, f.throughput_per_s,
                     f.avg_ms, f.p50_ms, f.p95_ms, f.p99_ms);
}

} // namespace

std::string render_html_report(const metrics_history& h) {
  auto& s = h.summary;
  std::ostringstream out;
  out << "<!doctype html><html><head><meta charset=\"utf-8\">"
         "<title>webaccel report</title><style>"
         "body{font-family:sans-serif;margin:24px;color:#222}"
         "table{border-collapse:collapse;margin:8px 0 16px}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
         "td:first-child,th:first-child{text-align:left}"
         "h2{margin-top:28px}figure{margin:0}"
         "</style></head><body>";
  out << "<h1>webaccel report</h1>";
  out << fmt::format("<p>{} run(s), {} to {}. DB: {} ({} bytes).</p>", s.runs,
                     utc_time(s.from_s), utc_time(s.to_s),
                     xml_escape(s.store.path), s.store.db_bytes);
  out << "<h2>Requests</h2><table><tr><th>model on browser/platform</th>"
         "<th>requests</th><th>failed</th><th>per s</th><th>avg ms</th>"
         "<th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>";
  out << figures_row("all", s.requests);
  for (auto& p : s.placements)
    out << figures_row(
      xml_escape(p.model + " on " + p.browser + "/" + p.platform), p.figures);
  out << "</table>";
  out << fmt::format("<p>Model loads: {} ({} failed), average {:.0f} ms. "
                     "Model cache: {} hits, {} misses.</p>",
                     s.loads.loads, s.loads.failures, s.loads.avg_load_ms,
                     s.cache_hits, s.cache_misses);
  out << "<h2>Throughput per minute</h2><figure id=\"throughput\">"
      << throughput_chart(h) << "</figure>";
  out << "<h2>Memory over time</h2><figure id=\"memory\">" << memory_chart(h)
      << "</figure>";
  out << "<h2>Recovery</h2><figure id=\"recovery\">" << recovery_chart(s)
      << "</figure><table><tr><th>category</th><th>attempts</th>"
         "<th>recovered</th><th>exhausted</th><th>avg ms to recover</th>"
         "<th>outcomes</th></tr>";
  for (auto& r : s.recoveries) {
    std::string outcomes;
    for (auto& [k, n] : r.outcomes)
      outcomes += (outcomes.empty() ? "" : ", ") + k + " " + std::to_string(n);
    out << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                       "<td>{:.0f}</td><td>{}</td></tr>",
                       xml_escape(r.category), r.attempts, r.recovered,
                       r.exhausted, r.avg_recovery_ms, xml_escape(outcomes));
  }
  out << "</table>";
  out << "<h2>Browser timeline</h2><figure id=\"timeline\">"
      << timeline_chart(h)
      << "</figure><table><tr><th>browser</th>"
         "<th>ready</th><th>ended</th><th>requests</th><th>why it ended</th>"
         "</tr>";
  for (auto& b : h.browsers)
    out << fmt::format(
      "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
      xml_escape(b.kind), xml_escape(b.version),
      b.ready_at > 0 ? utc_time(b.ready_at) : "never",
      b.ended_at > 0 ? utc_time(b.ended_at) : "running", b.requests,
      xml_escape(b.end_reason.empty() ? b.end_category : b.end_reason));
  out << "</table></body></html>\n";
  return out.str();
}

} // namespace webaccel
