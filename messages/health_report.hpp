// What the health monitor knows of every browser, for runtime::health(),
// stats and (later) the dashboard: a score with its reasons, the figures
// it came from, and what the canaries said on each platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/pool_stats.hpp"

namespace webaccel {

/// The canary inferences of one browser on one platform.
struct canary_figures {
  std::string platform;
  uint64_t runs = 0;
  uint64_t failures = 0;
  /// Failed or unanswered in a row (0 after an answer that was right).
  uint32_t failures_in_a_row = 0;
  /// "ok", "failed", "timed_out"; empty before the first canary ended.
  std::string last_outcome;
  /// What went wrong with the last failure.
  std::string last_error;
  double last_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, canary_figures& x) {
  return f(caf::meta::type_name("canary_figures"), x.platform, x.runs,
           x.failures, x.failures_in_a_row, x.last_outcome, x.last_error,
           x.last_ms);
}

/// One browser as the monitor judges it.
struct browser_health_report {
  /// The webaccel node it runs on ("local": this runtime's own).
  std::string node = "local";
  std::string kind;
  int32_t pid = 0;
  /// 0 (sick) to 100, and why it is not 100.
  double score = 100;
  std::vector<std::string> reasons;
  /// True once the monitor asked for it to be recycled.
  bool recycling = false;
  double heartbeat_ms = 0;
  uint64_t memory_bytes = 0;
  /// MiB per minute over the samples kept.
  double memory_growth_mib_per_min = 0;
  /// Failed requests per request over the samples kept.
  double error_rate = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  /// Page round trips of its requests since it started, all platforms.
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
  breaker_state breaker = breaker_state::closed;
  std::vector<canary_figures> canaries;
};

template <class Inspector>
typename Inspector::result_type
inspect(Inspector& f, browser_health_report& x) {
  return f(caf::meta::type_name("browser_health_report"), x.node, x.kind, x.pid,
           x.score, x.reasons, x.recycling, x.heartbeat_ms, x.memory_bytes,
           x.memory_growth_mib_per_min, x.error_rate, x.requests, x.failures,
           x.latency_p50_ms, x.latency_p99_ms, x.breaker, x.canaries);
}

/// Latency and errors of one platform over every browser that runs it.
struct platform_health {
  std::string platform;
  uint64_t requests = 0;
  uint64_t failures = 0;
  double latency_p50_ms = 0;
  double latency_p99_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, platform_health& x) {
  return f(caf::meta::type_name("platform_health"), x.platform, x.requests,
           x.failures, x.latency_p50_ms, x.latency_p99_ms);
}

/// The whole runtime's health.
struct health_report {
  /// False when the config turned the monitor off (interval_ms 0).
  bool enabled = false;
  /// Why no canaries run, if none do (e.g. the canary model is missing).
  std::string canary_off;
  std::vector<browser_health_report> browsers;
  std::vector<platform_health> platforms;
  /// Browsers the monitor had recycled, since the runtime started.
  uint64_t recycled = 0;
  uint64_t samples = 0;
  uint64_t canaries = 0;
  uint64_t canary_failures = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, health_report& x) {
  return f(caf::meta::type_name("health_report"), x.enabled, x.canary_off,
           x.browsers, x.platforms, x.recycled, x.samples, x.canaries,
           x.canary_failures);
}

} // namespace webaccel
