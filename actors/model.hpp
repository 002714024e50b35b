// The actor for one model loaded into one browser page. It turns host
// requests into page inferences on its browser connection and stamps each
// result with provenance (browser, platform, adapter, precision, timings).
// Spawned by the router once the page loaded the model.
#pragma once

#include <caf/fwd.hpp>

#include "messages/interfaces.hpp"

namespace webaccel {

/// What a model instance runs on.
struct model_placement {
  model_spec spec;
  browser_connection_actor connection;
  browser_capabilities browser;
  loaded_model loaded;
  /// Safety net above the connection's own deadline.
  uint32_t infer_timeout_ms = 30000;
};

/// Spawns a model actor; it quits when its connection goes down.
model_actor spawn_model(caf::actor_system& sys, model_placement placement);

} // namespace webaccel
