// Supervises the browsers of one kind, one-for-one: a browser that dies on
// its own (crash, kill, stuck page, failed handshake) is started again
// after a backoff of base * 2^n (capped, with jitter; n resets once a
// browser stayed up for a stable period). More restarts than the intensity
// limit allows within its window make the supervisor stop its browsers and
// quit with an error: the pool supervisor above decides what happens next.
//
// It also applies the pool policy to healthy browsers: hands out warm idle
// browsers first, starts more up to the kind's maximum (with room granted
// by the pool for max_connections over all kinds), keeps the minimum
// running, closes idle browsers, and retires browsers that served enough
// requests, lived long enough or grew past the kind's memory limit. A
// retired browser drains: its requests finish and its models move.
#pragma once

#include <caf/fwd.hpp>

#include "actors/browser_connection.hpp"
#include "config/pool_policy.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

struct browser_supervisor_config {
  /// Template for each connection (kind and launcher set).
  browser_connection_config connection;
  uint32_t min_connections = 0;
  uint32_t max_connections = 4;
  /// 0 = no limit.
  uint32_t memory_limit_mb = 0;
  pool_policy policy;
  /// Asked for room before each new browser (not for restarts).
  pool_supervisor_actor pool;
  /// Placement prefers browsers whose health score is at least this
  /// (health.prefer_above).
  double healthy_score = 0;
  /// Seeds the backoff jitter.
  uint64_t seed = 0;
};

browser_supervisor_actor
spawn_browser_supervisor(caf::actor_system& sys, browser_supervisor_config cfg);

} // namespace webaccel
