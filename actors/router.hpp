// The router: resolves a host's model request to a model instance. It
// takes the first browser kind for the model's family (or the request's
// override) that can be started, asks the pool for a connection (warm,
// idle, new or least loaded within its memory budget), and has the page
// load the variant of the requested precision on the first platform of the
// request's priority list. A browser lacking that platform (as its probe
// says) or a load that fails is a failure like any other: the recovery
// supervisor walks its category's chain (another browser, another
// platform, another variant, ...). The result's provenance says what was
// used and why. Instances are cached per (family, name, preferences).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/rules/placement.hpp"
#include "config/recovery_policy.hpp"
#include "config/timeout_policy.hpp"
#include "messages/interfaces.hpp"
#include "transport/store/metrics_sink.hpp"

namespace webaccel {

struct router_config {
  /// The model registry by name.
  std::map<std::string, model_entry> models;
  browser_preference_table browser_preferences = default_browser_preferences();
  /// Browser kinds this runtime may launch.
  std::vector<std::string> browsers;
  /// Kinds the config allows that cannot be used here, and why.
  std::map<std::string, std::string> missing_browsers;
  /// Launch and load deadlines; model instances apply the inference ones.
  timeout_policy timeouts;
  /// An instance idle this long releases its browser (0 = never).
  uint32_t idle_unload_ms = 0;
  /// Failed loads and failed requests go to the recovery supervisor
  /// (through the pool); false: they fail at once.
  bool recover = true;
  recovery_policy recovery_limits;
  /// Where instances record inferences and the router cache lookups (none
  /// if null).
  std::shared_ptr<metrics_sink> metrics;

  /// How long an instance waits for the recovery supervisor's answer: a
  /// whole recovery, with a launch and a load.
  uint32_t recovery_timeout_ms() const {
    return recovery_limits.max_wait_ms + timeouts.launch_ms + timeouts.load_ms
           + 5000;
  }
};

/// Model instances by cache key (see the router's get_atom).
using model_cache = std::map<std::string, model_actor>;

/// Spawns the router; it asks `pool` for browser connections and tells it
/// of every instance it caches or forgets. A router started again after a
/// failure gets the instances its predecessor cached.
router_actor spawn_router(caf::actor_system& sys, router_config cfg,
                          pool_supervisor_actor pool, model_cache cached = {});

} // namespace webaccel
