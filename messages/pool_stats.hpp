// Snapshots of the browser pool for stats(), `webaccel doctor` and the
// pool benchmark.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/recovery.hpp"

namespace webaccel {

/// One browser connection.
/// A connection's circuit breaker (see actors/rules/circuit_breaker).
enum class breaker_state : uint8_t { closed, open, half_open };

inline const char* to_string(breaker_state x) {
  switch (x) {
    case breaker_state::open:
      return "open";
    case breaker_state::half_open:
      return "half_open";
    default:
      return "closed";
  }
}

/// The requests one browser ran on one platform since it started.
struct platform_latency {
  std::string platform;
  uint64_t requests = 0;
  uint64_t failures = 0;
  /// Page round trips of the answered ones, as latency_histogram's text
  /// (so that the monitor can merge browsers).
  std::string histogram;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, platform_latency& x) {
  return f(caf::meta::type_name("platform_latency"), x.platform, x.requests,
           x.failures, x.histogram);
}

struct connection_stats {
  std::string kind;
  /// Process id of the browser's main process (0 = not running).
  int32_t pid = 0;
  /// "launching", "ready" or "draining".
  std::string state;
  uint64_t requests = 0;
  uint32_t in_flight = 0;
  /// Model instances that live on this browser.
  uint32_t models = 0;
  double age_ms = 0;
  double idle_ms = 0;
  /// From launch to the page's hello (0 while launching).
  double cold_start_ms = 0;
  /// PSS of the browser's processes, from /proc.
  uint64_t process_bytes = 0;
  /// JS heap the page reported in its last pong (0 if it cannot tell).
  uint64_t page_heap_bytes = 0;
  /// Round trip of the last answered heartbeat.
  double heartbeat_ms = 0;
  /// Page keys of the models loaded in the page.
  std::vector<std::string> loaded_models;
  /// Loads under way in the page.
  uint32_t loading = 0;
  /// Its circuit breaker, as the health monitor set it.
  breaker_state breaker = breaker_state::closed;
  /// Requests that failed here (errors and timeouts); of those the
  /// browser's fault, how many in a row; requests answered.
  uint64_t failures = 0;
  uint32_t failures_in_a_row = 0;
  uint64_t answered = 0;
  /// Requests and latency per platform (canaries not counted).
  std::vector<platform_latency> platforms;
  /// The health monitor's last score for it (100 until it judged).
  double health_score = 100;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_stats& x) {
  return f(caf::meta::type_name("connection_stats"), x.kind, x.pid, x.state,
           x.requests, x.in_flight, x.models, x.age_ms, x.idle_ms,
           x.cold_start_ms, x.process_bytes, x.page_heap_bytes, x.heartbeat_ms,
           x.loaded_models, x.loading, x.breaker, x.failures,
           x.failures_in_a_row, x.answered, x.platforms, x.health_score);
}

/// One browser kind under its browser supervisor.
struct kind_stats {
  std::string kind;
  std::vector<connection_stats> connections;
  /// Browsers waiting out a restart backoff.
  uint32_t restarting = 0;
  uint64_t launches = 0;
  /// Browsers that died on their own (crash, hang, handshake failure).
  uint64_t failures = 0;
  uint64_t restarts = 0;
  /// Healthy browsers closed or recycled, by reason (idle, requests,
  /// lifetime, memory).
  std::map<std::string, uint64_t> retired;
  /// Times this kind's supervisor gave up and was restarted by the pool.
  uint64_t escalations = 0;
  /// Set once the pool stopped restarting this kind: why.
  std::string disabled;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, kind_stats& x) {
  return f(caf::meta::type_name("kind_stats"), x.kind, x.connections,
           x.restarting, x.launches, x.failures, x.restarts, x.retired,
           x.escalations, x.disabled);
}

/// One node as the head sees it.
struct node_stats {
  std::string name;
  /// Where it connected from.
  std::string address;
  /// "joined" or "lost".
  std::string state;
  /// 1 for its first join, +1 for each join after.
  uint64_t epoch = 0;
  uint64_t rejoins = 0;
  /// Why it was lost last ("" if never).
  std::string lost_reason;
  /// Its browsers, as its own pool reports them (none while lost).
  std::vector<kind_stats> kinds;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_stats& x) {
  return f(caf::meta::type_name("node_stats"), x.name, x.address, x.state,
           x.epoch, x.rejoins, x.lost_reason, x.kinds);
}

/// The router's cache of model instances.
struct model_cache_stats {
  /// get_model calls answered with a cached instance.
  uint64_t hits = 0;
  /// get_model calls that placed and loaded a new instance.
  uint64_t misses = 0;
  /// Instances in the cache now.
  uint32_t instances = 0;
  /// Instances the host unloaded.
  uint64_t unloads = 0;
  /// Times an idle instance released its browser (it loads again on its
  /// next request).
  uint64_t evictions = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_cache_stats& x) {
  return f(caf::meta::type_name("model_cache_stats"), x.hits, x.misses,
           x.instances, x.unloads, x.evictions);
}

/// The whole pool.
struct pool_stats {
  uint32_t max_connections = 0;
  std::vector<kind_stats> kinds;
  model_cache_stats models;
  recovery_stats recovery;
  /// Times the root started the router, the recovery supervisor and the
  /// metrics store again after they failed.
  uint64_t router_restarts = 0;
  uint64_t recovery_restarts = 0;
  uint64_t metrics_restarts = 0;
  uint64_t health_restarts = 0;
  /// The webaccel nodes that joined this head.
  std::vector<node_stats> nodes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pool_stats& x) {
  return f(caf::meta::type_name("pool_stats"), x.max_connections, x.kinds,
           x.models, x.recovery, x.router_restarts, x.recovery_restarts,
           x.metrics_restarts, x.health_restarts, x.nodes);
}

} // namespace webaccel
