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

#include "actors/rules/deadlines.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// What a model instance runs on.
struct model_placement {
  model_spec spec;
  browser_connection_actor connection;
  browser_capabilities browser;
  loaded_model loaded;
  /// Each request's deadline (the connection enforces it).
  deadline_policy deadlines;
  /// Where to find another browser of the same kind.
  pool_supervisor_actor pool;
  uint32_t launch_timeout_ms = 60000;
  uint32_t load_timeout_ms = 120000;
  /// Why the router put it there, for provenance.
  std::string why;
  /// Release the browser after this long without requests (0 = never); the
  /// instance loads itself again on its next request.
  uint32_t idle_unload_ms = 0;
  /// Told when the instance released its browser for idleness.
  router_actor router;
  /// Told of failed requests; answers where to run them instead (none:
  /// failures go to the host at once).
  recovery_supervisor_actor recovery;
  /// What the host asked for (the recovery's chains need it).
  model_request request;
  /// A request re-dispatched this often fails with the typed error.
  uint32_t max_redispatches = 6;
  /// Longest wait for the recovery supervisor's answer.
  uint32_t recovery_timeout_ms = 300000;
};

/// Spawns a model actor; it quits on shutdown.
model_actor spawn_model(caf::actor_system& sys, model_placement placement);

} // namespace webaccel
