// The router: resolves a host's model request to a model instance. It picks
// a browser kind for the model's family, asks the pool for a ready
// connection, picks the first platform of the request's priority list that
// the browser really has, has the page load the model, and caches the
// instance per (family, name, preferences).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/placement.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

struct router_config {
  /// The model registry by name.
  std::map<std::string, model_entry> models;
  browser_preference_table browser_preferences = default_browser_preferences();
  /// Browser kinds this runtime may launch.
  std::vector<std::string> browsers;
  uint32_t launch_timeout_ms = 60000;
  uint32_t load_timeout_ms = 120000;
  uint32_t infer_timeout_ms = 30000;
};

/// Spawns the router; it asks `pool` for browser connections.
router_actor spawn_router(caf::actor_system& sys, router_config cfg,
                          pool_supervisor_actor pool);

} // namespace webaccel
