// Root of the actor tree. Owns the router and the browser connections:
// launches a browser of a kind when the router asks for one, hands out the
// ready connection, notices when one goes down, and on shutdown stops
// everything and answers only when every browser process is gone.
// (Restart strategies and intensity limits come with the browser pool.)
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/browser_connection.hpp"
#include "actors/router.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// Makes the launcher for a browser kind; nullptr plus `error` if the kind
/// cannot be launched on this machine.
using launcher_factory
  = std::function<browser_launcher(const std::string& kind, std::string& error)>;

struct pool_config {
  /// Template for every connection (kind and launch are filled per kind).
  browser_connection_config connection;
  launcher_factory make_launcher;
  router_config router;
};

/// Spawns the pool supervisor, which spawns the router.
pool_supervisor_actor spawn_pool_supervisor(caf::actor_system& sys, pool_config cfg);

} // namespace webaccel
