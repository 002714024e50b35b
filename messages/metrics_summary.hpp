// What get_metrics() answers: the aggregates of a live runtime (since it
// started) or of a metrics DB (over a period). Latency percentiles come from
// merged histograms, so they are bucket bounds (within 19 %).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

namespace webaccel {

/// Requests and their latency, in milliseconds.
struct request_figures {
  uint64_t requests = 0;
  uint64_t failures = 0;
  /// Page runs (a batch of 8 requests is one).
  uint64_t batches = 0;
  uint64_t simulated = 0;
  /// Successful requests per second of the period.
  double throughput_per_s = 0;
  double avg_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  /// Where the average went.
  double avg_queue_ms = 0;
  double avg_transfer_ms = 0;
  double avg_compute_ms = 0;
  /// Failed requests by error category.
  std::map<std::string, uint64_t> failed_by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, request_figures& x) {
  return f(caf::meta::type_name("request_figures"), x.requests, x.failures,
           x.batches, x.simulated, x.throughput_per_s, x.avg_ms, x.p50_ms,
           x.p95_ms, x.p99_ms, x.max_ms, x.avg_queue_ms, x.avg_transfer_ms,
           x.avg_compute_ms, x.failed_by);
}

/// One model on one browser kind and platform.
struct placement_figures {
  std::string model;
  std::string browser;
  std::string platform;
  request_figures figures;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, placement_figures& x) {
  return f(caf::meta::type_name("placement_figures"), x.model, x.browser,
           x.platform, x.figures);
}

struct load_figures {
  uint64_t loads = 0;
  uint64_t failures = 0;
  double avg_load_ms = 0;
  /// Over loads that warmed up (precompile_shaders).
  double avg_warmup_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, load_figures& x) {
  return f(caf::meta::type_name("load_figures"), x.loads, x.failures,
           x.avg_load_ms, x.avg_warmup_ms);
}

struct browser_figures {
  std::string kind;
  uint64_t launches = 0;
  /// Browsers that ended, by the reason (error category or retire reason).
  std::map<std::string, uint64_t> ended_by;
  request_figures requests;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, browser_figures& x) {
  return f(caf::meta::type_name("browser_figures"), x.kind, x.launches,
           x.ended_by, x.requests);
}

/// Recovery attempts of one error category.
struct recovery_figures {
  std::string category;
  uint64_t attempts = 0;
  /// Cases: a case is every attempt for one failure, until it recovered or
  /// its chain was exhausted.
  uint64_t recovered = 0;
  uint64_t exhausted = 0;
  /// Attempts by strategy, and by "strategy: outcome" (recovered, failed,
  /// skipped).
  std::map<std::string, uint64_t> strategies;
  std::map<std::string, uint64_t> outcomes;
  /// Time from a case's start to its recovery.
  double avg_recovery_ms = 0;
  double max_recovery_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, recovery_figures& x) {
  return f(caf::meta::type_name("recovery_figures"), x.category, x.attempts,
           x.recovered, x.exhausted, x.strategies, x.outcomes,
           x.avg_recovery_ms, x.max_recovery_ms);
}

/// How the metrics store is doing.
struct store_status {
  /// False: no DB configured; figures are live only.
  bool enabled = false;
  std::string path;
  /// True when the DB cannot be written; the reason says why. Inference
  /// goes on; events are kept for the live figures only.
  bool degraded = false;
  std::string reason;
  /// Events written to the DB, and dropped because the queue was full.
  uint64_t written = 0;
  uint64_t dropped = 0;
  uint64_t db_bytes = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_status& x) {
  return f(caf::meta::type_name("store_status"), x.enabled, x.path, x.degraded,
           x.reason, x.written, x.dropped, x.db_bytes);
}

struct metrics_summary {
  /// The period covered, in seconds since the Unix epoch.
  double from_s = 0;
  double to_s = 0;
  uint64_t runs = 0;
  request_figures requests;
  load_figures loads;
  /// Successful requests per platform.
  std::map<std::string, uint64_t> platform_distribution;
  std::vector<placement_figures> placements;
  /// Per model, over every browser and platform.
  std::map<std::string, request_figures> models;
  std::vector<browser_figures> browsers;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  std::vector<recovery_figures> recoveries;
  store_status store;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, metrics_summary& x) {
  return f(caf::meta::type_name("metrics_summary"), x.from_s, x.to_s, x.runs,
           x.requests, x.loads, x.platform_distribution, x.placements, x.models,
           x.browsers, x.cache_hits, x.cache_misses, x.recoveries, x.store);
}

} // namespace webaccel
