// The actor for one model instance. It turns host requests into page
// inferences on its browser connection and stamps each result with
// provenance (browser, platform, adapter, precision, timings). When its
// browser is retired it moves: it loads itself into another browser of the
// same kind, switches over, and leaves the old one, so that requests keep
// flowing. When its browser is closed for idleness or dies, it waits
// unbound and loads itself again on its next request; after
// `idle_unload_ms` without requests it unbinds itself the same way, so an
// unused model holds no browser memory. A request that fails with one of
// the seven recoverable categories is not lost: the instance parks it (and
// every request after it), asks the recovery supervisor where to run, moves
// there and sends them again; each request is answered once. Spawned by the
// router once the first page loaded the model.
#pragma once

#include <caf/fwd.hpp>

#include <memory>

#include "actors/router.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// What a model instance runs on, and where it came from.
struct model_placement {
  model_spec spec;
  browser_connection_actor connection;
  browser_capabilities browser;
  loaded_model loaded;
  /// Why the router put it there, for provenance.
  std::string why;
  /// What the host asked for (the recovery's chains need it).
  model_request request;
  /// The root: where to find another browser of the same kind, and where
  /// failures (for the recovery supervisor) and idle releases (for the
  /// router) go, so that either can be restarted under the instance.
  pool_supervisor_actor pool;
  /// The router's settings, as they are: deadlines, timeouts, idle unload,
  /// the recovery's limits. Shared by every instance.
  std::shared_ptr<const router_config> settings;
};

/// Spawns a model actor; it quits on shutdown.
model_actor spawn_model(caf::actor_system& sys, model_placement placement);

} // namespace webaccel
