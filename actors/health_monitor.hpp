// The health monitor (one per runtime, supervised by the root) owns
// liveness beyond the connection's own heartbeat: every interval_ms it
// samples each browser's stats (heartbeat round trip, memory, requests and
// failures, latency per platform, circuit breaker), and every
// canary_every_ms it runs the canary model (actors/rules/canary.hpp) on
// each of the browser's platforms, through the same load and infer path as
// real requests. actors/rules/health_ledger keeps the scores and the
// circuit breakers; the monitor tells each connection its score (placement
// prefers the healthy) and its breaker's state (which it enforces), has the
// sick ones recycled by their supervisor, and records a health sample per
// browser in the metrics sink.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <caf/fwd.hpp>

#include "config/health_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/store/metrics_sink.hpp"

namespace webaccel {

struct health_monitor_config {
  health_policy policy;
  /// The canary model; without it no canaries run, and `canary_off` says
  /// why.
  std::optional<model_spec> canary;
  std::string canary_off;
  /// Each browser's circuit breaker (recovery.breaker_failures and
  /// breaker_cooldown_ms): the monitor keeps it, the connection enforces it.
  uint32_t breaker_failures = 5;
  uint32_t breaker_cooldown_ms = 10000;
  /// Each kind's memory limit in bytes (absent = none).
  std::map<std::string, uint64_t> memory_limits;
  std::shared_ptr<metrics_sink> sink;
};

health_monitor_actor spawn_health_monitor(caf::actor_system& sys,
                                          health_monitor_config cfg,
                                          pool_supervisor_actor root);

} // namespace webaccel
