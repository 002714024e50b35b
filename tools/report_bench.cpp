#include "tools/report_bench.hpp"

#include <chrono>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "tools/report/report_html.hpp"
#include "tools/report/report_json.hpp"
#include "tools/report/report_markdown.hpp"
#include "tools/stats.hpp"
#include "transport/browser/process.hpp"
#include "transport/store/metrics_db.hpp"
#include "transport/store/metrics_reader.hpp"

namespace webaccel {

namespace {

using json = nlohmann::json;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct combo {
  const char* model;
  const char* browser;
  const char* platform;
};

constexpr combo combos[] = {
  {"tiny_bert", "chromium", "wasm"},     {"tiny_bert", "firefox", "wasm"},
  {"silero_vad_v5", "chromium", "wasm"}, {"silero_vad_v5", "firefox", "wasm"},
  {"ppocr_rec", "chromium", "webgpu"},   {"ppocr_rec", "firefox", "webgpu"},
};

constexpr size_t combo_count = sizeof(combos) / sizeof(combos[0]);

/// Writes `rows` inferences, `per_second` of them each second (spread over
/// the combos), plus a health sample per browser every 2 s; returns the
/// seconds the writes took.
double write_db(const std::string& path, size_t rows, size_t per_second,
                bool inference_log) {
  metrics_db_options opts;
  opts.path = path;
  opts.retention_days = 0;
  opts.inference_log = inference_log;
  metrics_db db{opts};
  auto span_s = double(rows) / double(per_second);
  auto start = wall_clock_s() - span_s;
  db.begin_run({start, "bench", 0, "bench", "bench report", "{}"});
  std::mt19937 rng{42};
  std::lognormal_distribution<double> latency{1.2, 0.5};
  std::vector<metrics_event> batch;
  auto t0 = clock_type::now();
  auto flush = [&] {
    db.write(batch, {});
    batch.clear();
  };
  for (size_t i = 0; i < rows; ++i) {
    auto at = start + double(i) / double(per_second);
    auto& c = combos[i % combo_count];
    inference_event e;
    e.at = at;
    e.model = c.model;
    e.browser = c.browser;
    e.platform = c.platform;
    e.compute_ms = latency(rng);
    e.transfer_ms = 0.3;
    e.queue_ms = 0.1;
    e.total_ms = e.compute_ms + e.transfer_ms + e.queue_ms;
    batch.push_back(std::move(e));
    // A health sample per browser every 2 s of the span.
    auto second = static_cast<uint64_t>(double(i) / double(per_second));
    if (i % per_second == 0 && second % 2 == 0)
      for (uint64_t b = 1; b <= 2; ++b) {
        health_sample h;
        h.at = at;
        h.connection = b;
        h.kind = b == 1 ? "chromium" : "firefox";
        h.memory_bytes = (300 + (second / 60) % 50) << 20;
        h.heartbeat_ms = 1;
        batch.push_back(std::move(h));
      }
    if (batch.size() >= 10000)
      flush();
  }
  flush();
  db.end_run(wall_clock_s());
  return seconds_since(t0);
}

json time_report(const std::string& path) {
  auto t0 = clock_type::now();
  auto history = read_metrics_history(path, 0);
  auto read_s = seconds_since(t0);
  json out{{"read_s", read_s},
           {"inferences", history.summary.requests.requests}};
  t0 = clock_type::now();
  auto md = render_markdown_report(history);
  out["markdown_s"] = seconds_since(t0);
  t0 = clock_type::now();
  auto html = render_html_report(history);
  out["html_s"] = seconds_since(t0);
  out["html_bytes"] = html.size();
  t0 = clock_type::now();
  auto js = history_to_json(history).dump(2);
  out["json_s"] = seconds_since(t0);
  return out;
}

} // namespace

json run_report_bench(const report_bench_options& o) {
  auto say = [&](const std::string& line) {
    if (o.progress)
      o.progress(line);
  };
  std::string error;
  auto dir = make_scratch_dir("report-bench-", error);
  if (dir.empty())
    throw std::runtime_error(error);
  json out{{"benchmark", "report"}, {"rows", o.rows}};
  try {
    struct shape {
      const char* name;
      size_t per_second;
      bool inference_log;
    };
    for (auto s :
         {shape{"per_row", 2000, true}, shape{"rollups", combo_count, false}}) {
      auto path = dir + "/" + s.name + ".db";
      auto write_s = write_db(path, o.rows, s.per_second, s.inference_log);
      auto entry = time_report(path);
      entry["write_s"] = write_s;
      entry["db_bytes"] = fs::file_size(path);
      say(std::string{s.name} + ": " + std::to_string(o.rows)
          + " rows written in " + std::to_string(write_s) + " s; report read "
          + std::to_string(entry["read_s"].get<double>()) + " s, html "
          + std::to_string(entry["html_s"].get<double>()) + " s");
      out[s.name] = entry;
    }
  } catch (...) {
    fs::remove_all(dir);
    throw;
  }
  fs::remove_all(dir);
  return out;
}

} // namespace webaccel
