// How the health monitor judges a browser: plain data read from the
// config's "health" section; actors/rules/browser_health applies it.
#pragma once

#include <cstdint>

namespace webaccel {

struct health_policy {
  /// Browsers are sampled this often (0 = no health monitor).
  uint32_t interval_ms = 2000;
  /// A canary inference per browser and platform this often; after a
  /// failed one, the next goes at the next interval.
  uint32_t canary_every_ms = 5000;
  /// A canary unanswered this long failed (or 4 times the p99 round trip of
  /// the browser's requests on that platform, if longer: a busy page is
  /// not a wedged one). With the defaults a wedged page is found within
  /// 5 + 3 + 2 + 3 = 13 s, well inside the 30 s default request deadline.
  uint32_t canary_timeout_ms = 3000;
  /// Canary failures in a row that make a browser sick whatever else it
  /// shows: its page answers pings but cannot run a model.
  uint32_t canary_failures = 2;
  /// A heartbeat round trip slower than this costs points.
  uint32_t slow_heartbeat_ms = 1000;
  /// Failed requests per request over the last samples that cost points
  /// (once at least `min_requests` ran).
  double bad_error_rate = 0.2;
  uint32_t min_requests = 5;
  /// Memory growing faster than this (MiB per minute, over the last
  /// samples) costs points, as does memory above `memory_high` of the
  /// browser's limit.
  double memory_growth_mib_per_min = 100;
  double memory_high = 0.9;
  /// Below this score a browser is drained and recycled...
  double recycle_below = 40;
  /// ...and placement prefers browsers scoring at least this.
  double prefer_above = 70;
};

} // namespace webaccel
