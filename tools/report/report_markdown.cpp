#include "tools/report/report_markdown.hpp"

#include <ctime>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "tools/report/svg_chart.hpp"

namespace webaccel {

namespace {

std::string counts(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (auto& [key, n] : m)
    out += (out.empty() ? "" : ", ") + key + " " + std::to_string(n);
  return out.empty() ? "-" : out;
}

/// Text safe inside a table cell.
std::string cell(std::string text) {
  std::string out;
  for (char c : text)
    out += c == '|'    ? std::string{"\\|"}
           : c == '\n' ? std::string{" "}
                       : std::string{c};
  return out.empty() ? "-" : out;
}

std::string latency_cells(const request_figures& f) {
  return fmt::format("{} | {} | {:.1f} | {:.2f} | {:.2f} | {:.2f} | {:.2f}",
                     f.requests, f.failures, f.throughput_per_s, f.avg_ms,
                     f.p50_ms, f.p95_ms, f.p99_ms);
}

} // namespace

std::string utc_time(double at) {
  return utc_text(at, "%Y-%m-%d %H:%M:%S UTC");
}

std::string render_markdown_report(const metrics_history& h) {
  auto& s = h.summary;
  std::ostringstream out;
  out << "# webaccel report\n\n";
  out << fmt::format("{} run(s), {} to {}. DB: {} ({} bytes).\n\n", s.runs,
                     utc_time(s.from_s), utc_time(s.to_s), s.store.path,
                     s.store.db_bytes);
  out << "## Requests\n\n";
  out << fmt::format("{} requests, {} failed ({}), {} page runs; {:.1f} per "
                     "second over the period. Latency: average {:.2f} ms "
                     "(queue {:.2f}, transfer {:.2f}, compute {:.2f}), "
                     "p50 {:.2f}, p95 {:.2f}, p99 {:.2f} ms.\n\n",
                     s.requests.requests, s.requests.failures,
                     counts(s.requests.failed_by), s.requests.batches,
                     s.requests.throughput_per_s, s.requests.avg_ms,
                     s.requests.avg_queue_ms, s.requests.avg_transfer_ms,
                     s.requests.avg_compute_ms, s.requests.p50_ms,
                     s.requests.p95_ms, s.requests.p99_ms);
  out << "| model | browser | platform | requests | failed | per s | avg ms "
         "| p50 ms | p95 ms | p99 ms |\n"
         "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (auto& p : s.placements)
    out << "| " << cell(p.model) << " | " << p.browser << " | " << p.platform
        << " | " << latency_cells(p.figures) << " |\n";
  out << "\nPlatforms: " << counts(s.platform_distribution)
      << ". Model cache: " << s.cache_hits << " hits, " << s.cache_misses
      << " misses.\n\n";
  out << "## Model loads\n\n";
  out << fmt::format("{} loads, {} failed; average load {:.0f} ms, warm-up "
                     "{:.0f} ms.\n\n",
                     s.loads.loads, s.loads.failures, s.loads.avg_load_ms,
                     s.loads.avg_warmup_ms);
  out << "## Browsers\n\n| kind | launches | ended by | requests | p95 ms "
         "|\n|---|---:|---|---:|---:|\n";
  for (auto& b : s.browsers)
    out << fmt::format("| {} | {} | {} | {} | {:.2f} |\n", b.kind, b.launches,
                       counts(b.ended_by), b.requests.requests,
                       b.requests.p95_ms);
  out << "\n## Recovery\n\n| category | attempts | recovered | exhausted | "
         "strategies | avg ms to recover | max ms |\n"
         "|---|---:|---:|---:|---|---:|---:|\n";
  for (auto& r : s.recoveries)
    out << fmt::format("| {} | {} | {} | {} | {} | {:.0f} | {:.0f} |\n",
                       r.category, r.attempts, r.recovered, r.exhausted,
                       counts(r.outcomes), r.avg_recovery_ms,
                       r.max_recovery_ms);
  if (s.recoveries.empty())
    out << "| (none) | | | | | | |\n";
  out << "\n## Memory\n\n";
  if (h.memory.empty()) {
    out << "No health samples in this period.\n";
  } else {
    std::map<std::string, std::pair<uint64_t, uint64_t>> by_kind;
    for (auto& m : h.memory) {
      auto& [peak, last] = by_kind[m.kind];
      peak = std::max(peak, m.memory_bytes);
      last = m.memory_bytes;
    }
    out << "| kind | samples | peak MiB | last MiB |\n|---|---:|---:|---:|\n";
    for (auto& [kind, v] : by_kind) {
      size_t n = 0;
      for (auto& m : h.memory)
        n += m.kind == kind ? 1 : 0;
      out << fmt::format("| {} | {} | {:.1f} | {:.1f} |\n", kind, n,
                         double(v.first) / (1 << 20),
                         double(v.second) / (1 << 20));
    }
  }
  out << "\n## Browser timeline\n\n| ready | ended | kind | version | "
         "platforms | requests | why it ended |\n"
         "|---|---|---|---|---|---:|---|\n";
  for (auto& b : h.browsers)
    out << "| " << (b.ready_at > 0 ? utc_time(b.ready_at) : "never") << " | "
        << (b.ended_at > 0 ? utc_time(b.ended_at) : "running") << " | "
        << b.kind << " | " << b.version << " | " << b.platforms << " | "
        << b.requests << " | "
        << cell(b.end_reason.empty() ? b.end_category : b.end_reason) << " |\n";
  return out.str();
}

} // namespace webaccel
