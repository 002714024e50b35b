#include "transport/store/metrics_aggregate.hpp"

#include <algorithm>

#include "transport/store/event_visitor.hpp"

namespace webaccel {

request_figures figures_of(const rollup_row& row, double seconds) {
  request_figures out;
  out.requests = row.requests;
  out.failures = row.failures;
  out.batches = row.batches;
  out.simulated = row.simulated;
  out.failed_by = row.failed_by;
  auto ok = row.requests - row.failures;
  if (seconds > 0)
    out.throughput_per_s = double(ok) / seconds;
  if (ok == 0)
    return out;
  out.avg_ms = row.total_ms / double(ok);
  out.avg_queue_ms = row.queue_ms / double(ok);
  out.avg_transfer_ms = row.transfer_ms / double(ok);
  out.avg_compute_ms = row.compute_ms / double(ok);
  out.max_ms = row.max_ms;
  // A bucket bound may exceed the largest value seen: report that instead.
  out.p50_ms = std::min(row.latency.percentile(0.50), row.max_ms);
  out.p95_ms = std::min(row.latency.percentile(0.95), row.max_ms);
  out.p99_ms = std::min(row.latency.percentile(0.99), row.max_ms);
  return out;
}

void metrics_aggregate::add(const metrics_event& event) {
  std::visit(
    event_visitor{
      [&](const browser_event& e) {
        if (e.event == browser_event::what::ready)
          add_browser_launch(e.kind);
        else
          add_browser_end(e.kind, e.category);
      },
      [&](const load_event& e) { add_load(e); },
      [&](const inference_event& e) { add_to_rollup(rollups_, e, false); },
      [&](const recovery_event& e) { add_recovery(e); },
      [&](const health_sample&) {
        // Health has its own view (health()); no figure sums it.
      },
      [&](const cache_event& e) { add_cache(e.hit ? 1 : 0, e.hit ? 0 : 1); },
    },
    event);
}

void metrics_aggregate::add_rollup(const rollup_key& key,
                                   const rollup_row& row) {
  rollups_[rollup_key{0, key.model, key.browser, key.platform}].merge(row);
}

void metrics_aggregate::add_load(const load_event& e) {
  loads_.loads++;
  if (!e.ok) {
    loads_.failures++;
    return;
  }
  load_ms_ += e.load_ms;
  if (e.warmup_ms > 0) {
    warmup_ms_ += e.warmup_ms;
    warmups_++;
  }
}

void metrics_aggregate::add_browser_launch(const std::string& kind) {
  auto& b = browsers_[kind];
  b.kind = kind;
  b.launches++;
}

void metrics_aggregate::add_browser_end(const std::string& kind,
                                        const std::string& reason) {
  auto& b = browsers_[kind];
  b.kind = kind;
  b.ended_by[reason.empty() ? "unknown" : reason]++;
}

void metrics_aggregate::add_recovery(const recovery_event& e) {
  auto& r = recoveries_[e.category];
  r.figures.category = e.category;
  if (e.outcome == "exhausted") {
    r.figures.exhausted++;
    return;
  }
  r.figures.outcomes[e.strategy + ": " + e.outcome]++;
  if (e.outcome == "skipped")
    return;
  r.figures.attempts++;
  r.figures.strategies[e.strategy]++;
  if (e.outcome == "recovered") {
    r.figures.recovered++;
    r.recovered_ms += e.duration_ms;
    r.figures.max_recovery_ms = std::max(r.figures.max_recovery_ms,
                                         e.duration_ms);
  }
}

void metrics_aggregate::add_cache(uint64_t hits, uint64_t misses) {
  cache_hits_ += hits;
  cache_misses_ += misses;
}

metrics_summary metrics_aggregate::summary(double from_s, double to_s,
                                           uint64_t runs) const {
  metrics_summary out;
  out.from_s = from_s;
  out.to_s = to_s;
  out.runs = runs;
  auto seconds = std::max(0.0, to_s - from_s);
  rollup_row all;
  std::map<std::string, rollup_row> by_model;
  std::map<std::string, rollup_row> by_browser;
  for (auto& [key, row] : rollups_) {
    all.merge(row);
    by_model[key.model].merge(row);
    by_browser[key.browser].merge(row);
    out.placements.push_back(
      {key.model, key.browser, key.platform, figures_of(row, seconds)});
    out.platform_distribution[key.platform] += row.requests - row.failures;
  }
  out.requests = figures_of(all, seconds);
  for (auto& [model, row] : by_model)
    out.models[model] = figures_of(row, seconds);
  auto browsers = browsers_;
  for (auto& [kind, row] : by_browser) {
    auto& b = browsers[kind];
    b.kind = kind;
    b.requests = figures_of(row, seconds);
  }
  for (auto& [kind, b] : browsers)
    out.browsers.push_back(b);
  out.loads = loads_;
  auto loaded = loads_.loads - loads_.failures;
  if (loaded > 0)
    out.loads.avg_load_ms = load_ms_ / double(loaded);
  if (warmups_ > 0)
    out.loads.avg_warmup_ms = warmup_ms_ / double(warmups_);
  out.cache_hits = cache_hits_;
  out.cache_misses = cache_misses_;
  for (auto& [category, r] : recoveries_) {
    auto f = r.figures;
    if (f.recovered > 0)
      f.avg_recovery_ms = r.recovered_ms / double(f.recovered);
    out.recoveries.push_back(std::move(f));
  }
  return out;
}

} // namespace webaccel
