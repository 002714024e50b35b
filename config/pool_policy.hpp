// How the browser pool behaves: sizes, recycling, liveness and restart
// limits. Plain data read from the config's "pool" and "browsers" sections;
// actors/pool_rules applies it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace webaccel {

/// One-for-one restarts of crashed browsers (Erlang's MaxR in MaxT).
struct restart_policy {
  /// The n-th restart in a row waits base * 2^n, capped at `backoff_max_ms`,
  /// plus up to 25 % jitter.
  uint32_t backoff_base_ms = 1000;
  uint32_t backoff_max_ms = 15000;
  /// A browser that ran this long (from its launch) before it failed has
  /// its restart count reset to 0: it restarts after `backoff_base_ms`
  /// again. Crash loops at start never get there; `max_restarts` bounds
  /// the rest.
  uint32_t stable_after_ms = 10000;
  /// More than `max_restarts` restarts within `window_ms` escalates to the
  /// pool supervisor.
  uint32_t max_restarts = 5;
  uint32_t window_ms = 60000;
};

struct pool_policy {
  /// Browsers of all kinds together.
  uint32_t max_connections = 4;
  /// A browser with no request for this long is closed (0 = never); models
  /// on it reload on their next request.
  uint32_t idle_timeout_ms = 300000;
  /// Recycle a browser after it served this many requests (0 = never).
  uint64_t recycle_after_requests = 0;
  /// Recycle a browser this old (0 = never).
  uint32_t max_lifetime_ms = 0;
  /// Recycle a browser whose process group (PSS) plus page heap passes this
  /// many MiB, per kind; kinds not listed have no limit.
  std::map<std::string, uint32_t> memory_limits_mb
    = {{"chromium", 4096}, {"chrome", 4096}, {"edge", 4096}, {"firefox", 4096}};
  /// Pages are pinged this often; a page that leaves a ping unanswered for
  /// `heartbeat_timeout_ms` is stuck, and its browser is recycled.
  uint32_t heartbeat_ms = 2000;
  uint32_t heartbeat_timeout_ms = 10000;
  /// A recycled browser gets this long to finish what is in flight.
  uint32_t drain_timeout_ms = 30000;
  restart_policy restart;
};

} // namespace webaccel
