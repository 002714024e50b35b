// Root of the actor tree. It supervises the router and the recovery
// supervisor one-for-one: either that fails is started again (a new router
// gets the model instances the old one cached, so hosts' handles keep
// working), within the pool's restart intensity; past it the runtime stops.
// Instances and the router reach the recovery supervisor through the root,
// so that a restart does not leave them holding a dead handle.
//
// It also supervises the metrics store and the health monitor, and passes
// the monitor's questions (which browsers live) and orders (recycle this
// one) to the browser supervisors.
//
// It owns the router, the recovery supervisor and one
// browser supervisor per browser kind (started when the kind is first needed,
// or at once if it has a minimum). It grants room for new browsers so that all
// kinds together stay within max_connections, and it is where a browser
// supervisor that gave up escalates to: the supervisor is started again, within
// the same kind of intensity limit; past that limit the kind is disabled and
// connect requests for it fail with the reason, so that the router can fall
// through to another browser. On shutdown it stops everything and answers only
// when every browser process is gone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/browser_connection.hpp"
#include "actors/health_monitor.hpp"
#include "actors/metrics_store.hpp"
#include "actors/router.hpp"
#include "config/pool_policy.hpp"
#include "config/recovery_policy.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// Makes the launcher for a browser kind; nullptr plus `error` if the kind
/// cannot be launched on this machine.
using launcher_factory = std::function<browser_launcher(const std::string& kind,
                                                        std::string& error)>;

/// Sizes of one browser kind.
struct pool_kind_config {
  uint32_t min_connections = 0;
  uint32_t max_connections = 4;
  /// 0 = no limit.
  uint32_t memory_limit_mb = 0;
  /// As the installed browser printed it ("" = unknown).
  std::string version;
};

struct pool_config {
  /// Template for every connection (kind and launch are filled per kind).
  browser_connection_config connection;
  launcher_factory make_launcher;
  /// The kinds this pool may launch.
  std::map<std::string, pool_kind_config> kinds;
  pool_policy policy;
  router_config router;
  /// The recovery supervisor's strategies and limits.
  recovery_policy recovery;
  /// The metrics store's DB and the sink every actor records into (one is
  /// made if null).
  metrics_store_config metrics;
  /// The health monitor (none if its interval is 0); it records into the
  /// metrics sink.
  health_monitor_config health;
  /// Seeds the restart and retry jitter.
  uint64_t seed = 0;
};

/// Spawns the pool supervisor, which spawns the router.
pool_supervisor_actor spawn_pool_supervisor(caf::actor_system& sys,
                                            pool_config cfg);

} // namespace webaccel
