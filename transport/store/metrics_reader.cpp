#include "transport/store/metrics_reader.hpp"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "config/json_input.hpp"
#include "transport/store/metrics_aggregate.hpp"
#include "transport/store/schema.hpp"
#include "transport/store/sqlite_db.hpp"

namespace webaccel {

namespace {

std::map<std::string, uint64_t> counts_of(const std::string& json_text) {
  std::map<std::string, uint64_t> out;
  // A file someone else may have written: read like any outside JSON.
  auto read = json_input::parse(json_text);
  if (!read || !read.doc.is_object())
    return out;
  for (auto& [key, value] : read.doc.items())
    if (value.is_number_unsigned())
      out[key] = value.get<uint64_t>();
  return out;
}

/// The runs in the period and its bounds.
void read_runs(sqlite_db& db, double since, metrics_summary& out) {
  auto q = db.prepare(
    "SELECT count(*), min(started_at), max(coalesce(ended_at, started_at)) "
    "FROM runs WHERE coalesce(ended_at, 1e300) >= ?1");
  q.bind(1, since);
  if (q.step() && q.column_int(0) > 0) {
    out.runs = static_cast<uint64_t>(q.column_int(0));
    out.from_s = std::max(since, q.column_double(1));
    out.to_s = q.column_double(2);
  }
}

void read_rollups(sqlite_db& db, double since, metrics_aggregate& agg,
                  std::vector<throughput_point>& series, double& last_second) {
  auto q = db.prepare(
    "SELECT second, model, browser, platform, requests, failures, batches, "
    "total_ms, queue_ms, transfer_ms, compute_ms, max_ms, latency, "
    "simulated, failed_by FROM inferences WHERE second >= ?1 ORDER BY "
    "second");
  q.bind(1, static_cast<int64_t>(since));
  std::map<std::tuple<int64_t, std::string, std::string, std::string>,
           throughput_point>
    per_minute;
  while (q.step()) {
    rollup_key key{q.column_int(0), q.column_text(1), q.column_text(2),
                   q.column_text(3)};
    rollup_row row;
    row.requests = static_cast<uint64_t>(q.column_int(4));
    row.failures = static_cast<uint64_t>(q.column_int(5));
    row.batches = static_cast<uint64_t>(q.column_int(6));
    row.total_ms = q.column_double(7);
    row.queue_ms = q.column_double(8);
    row.transfer_ms = q.column_double(9);
    row.compute_ms = q.column_double(10);
    row.max_ms = q.column_double(11);
    row.latency.from_text(q.column_text(12));
    row.simulated = static_cast<uint64_t>(q.column_int(13));
    row.failed_by = counts_of(q.column_text(14));
    agg.add_rollup(key, row);
    last_second = std::max(last_second, double(key.second + 1));
    auto minute = key.second / 60 * 60;
    auto& p = per_minute[{minute, key.model, key.browser, key.platform}];
    p.minute = minute;
    p.model = key.model;
    p.browser = key.browser;
    p.platform = key.platform;
    p.requests += row.requests;
    p.failures += row.failures;
  }
  for (auto& [key, p] : per_minute)
    series.push_back(p);
}

void read_loads(sqlite_db& db, double since, metrics_aggregate& agg) {
  auto q = db.prepare(
    "SELECT ok, load_ms, warmup_ms FROM model_loads WHERE at >= ?1");
  q.bind(1, since);
  while (q.step()) {
    load_event e;
    e.ok = q.column_int(0) != 0;
    e.load_ms = q.column_double(1);
    e.warmup_ms = q.column_double(2);
    agg.add_load(e);
  }
}

void read_browsers(sqlite_db& db, double since, metrics_aggregate& agg,
                   std::vector<browser_span>& spans) {
  auto q = db.prepare(
    "SELECT run_id, connection, kind, version, platforms, adapter, ready_at, "
    "ended_at, requests, end_category, end_reason FROM browsers WHERE "
    "coalesce(ended_at, 1e300) >= ?1 ORDER BY coalesce(ready_at, ended_at)");
  q.bind(1, since);
  while (q.step()) {
    browser_span s;
    s.run_id = q.column_int(0);
    s.connection = static_cast<uint64_t>(q.column_int(1));
    s.kind = q.column_text(2);
    s.version = q.column_text(3);
    s.platforms = q.column_text(4);
    s.adapter = q.column_text(5);
    s.ready_at = q.column_is_null(6) ? 0 : q.column_double(6);
    s.ended_at = q.column_is_null(7) ? 0 : q.column_double(7);
    s.requests = static_cast<uint64_t>(q.column_int(8));
    s.end_category = q.column_text(9);
    s.end_reason = q.column_text(10);
    if (s.ready_at > 0)
      agg.add_browser_launch(s.kind);
    if (s.ended_at > 0)
      agg.add_browser_end(s.kind, s.end_category);
    spans.push_back(std::move(s));
  }
}

void read_recoveries(sqlite_db& db, double since, metrics_aggregate& agg,
                     std::vector<recovery_row>& rows) {
  auto q = db.prepare(
    "SELECT at, model, category, strategy, outcome, duration_ms, attempt, "
    "detail FROM recoveries WHERE at >= ?1 ORDER BY at");
  q.bind(1, since);
  while (q.step()) {
    recovery_event e;
    e.at = q.column_double(0);
    e.model = q.column_text(1);
    e.category = q.column_text(2);
    e.strategy = q.column_text(3);
    e.outcome = q.column_text(4);
    e.duration_ms = q.column_double(5);
    e.attempt = static_cast<uint32_t>(q.column_int(6));
    e.detail = q.column_text(7);
    agg.add_recovery(e);
    rows.push_back({e.at, e.model, e.category, e.strategy, e.outcome,
                    e.duration_ms, e.detail});
  }
}

void read_memory(sqlite_db& db, double since,
                 std::vector<memory_point>& points) {
  auto q = db.prepare(
    "SELECT at, connection, kind, memory_bytes, heap_bytes, score FROM "
    "health_samples WHERE at >= ?1 ORDER BY at");
  q.bind(1, since);
  while (q.step())
    points.push_back(
      {q.column_double(0), static_cast<uint64_t>(q.column_int(1)),
       q.column_text(2), static_cast<uint64_t>(q.column_int(3)),
       static_cast<uint64_t>(q.column_int(4)), q.column_double(5)});
}

void read_counters(sqlite_db& db, double since, metrics_aggregate& agg) {
  auto q = db.prepare(
    "SELECT name, sum(value) FROM counters WHERE run_id IN (SELECT id FROM "
    "runs WHERE coalesce(ended_at, 1e300) >= ?1) GROUP BY name");
  q.bind(1, since);
  uint64_t hits = 0;
  uint64_t misses = 0;
  while (q.step()) {
    auto name = q.column_text(0);
    auto value = static_cast<uint64_t>(q.column_int(1));
    if (name == "cache_hits")
      hits = value;
    else if (name == "cache_misses")
      misses = value;
  }
  agg.add_cache(hits, misses);
}

} // namespace

metrics_history read_metrics_history(const std::string& path, double since_s) {
  if (!std::filesystem::exists(path))
    throw store_error("metrics DB " + path + ": no such file", true);
  sqlite_db db{path, false};
  db.exec("PRAGMA busy_timeout = 5000");
  upgrade_metrics_schema(db);
  metrics_history out;
  metrics_aggregate agg;
  metrics_summary period;
  read_runs(db, since_s, period);
  double last_second = 0;
  read_rollups(db, since_s, agg, out.throughput, last_second);
  read_loads(db, since_s, agg);
  read_browsers(db, since_s, agg, out.browsers);
  read_recoveries(db, since_s, agg, out.recoveries);
  read_memory(db, since_s, out.memory);
  read_counters(db, since_s, agg);
  // A run killed before it stamped its end ran at least until its last
  // inference.
  auto to = std::max(period.to_s, last_second);
  out.summary = agg.summary(period.from_s, to, period.runs);
  out.summary.store.enabled = true;
  out.summary.store.path = path;
  std::error_code ec;
  out.summary.store.db_bytes = std::filesystem::file_size(path, ec);
  return out;
}

metrics_summary read_metrics(const std::string& path, double since_s) {
  return read_metrics_history(path, since_s).summary;
}

} // namespace webaccel
