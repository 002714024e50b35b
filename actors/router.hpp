// The router: resolves a host's model request to a model instance. It
// walks the browser kinds for the model's family (or the request's
// override), asks the pool for a connection of each (warm, idle, new or
// least loaded within its memory budget), picks the first platform of the
// request's priority list that the browser really has, and has the page
// load the variant of the requested precision. A kind that is not
// installed, lacks every requested platform, or rejects the model as
// unsupported falls through to the next choice; the result's provenance
// says what was used and why. Instances are cached per (family, name,
// preferences).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/deadlines.hpp"
#include "actors/placement.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

struct router_config {
  /// The model registry by name.
  std::map<std::string, model_entry> models;
  browser_preference_table browser_preferences = default_browser_preferences();
  /// Browser kinds this runtime may launch.
  std::vector<std::string> browsers;
  /// Kinds the config allows that cannot be used here, and why.
  std::map<std::string, std::string> missing_browsers;
  uint32_t launch_timeout_ms = 60000;
  uint32_t load_timeout_ms = 120000;
  /// Deadlines of inferences (model instances apply them).
  deadline_policy deadlines;
  /// An instance idle this long releases its browser (0 = never).
  uint32_t idle_unload_ms = 0;
};

/// Spawns the router; it asks `pool` for browser connections.
router_actor spawn_router(caf::actor_system& sys, router_config cfg,
                          pool_supervisor_actor pool);

} // namespace webaccel
