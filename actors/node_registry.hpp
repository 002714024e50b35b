// The head's door for webaccel nodes. The runtime publishes it on the node
// port (CAF's io middleman); a node says hello, checks the head's proof and
// joins with its own (transport/net/node_auth.hpp), offering its pool
// supervisor. The registry keeps the book (rules/node_table), watches each
// node's pool and tells the head's pool supervisor who joined and who was
// lost: a node killed or cut off ends its link, which CAF reports as the
// pool's down (its heartbeat finds a silent link within timeout_ms).
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "messages/interfaces.hpp"

namespace webaccel {

struct node_registry_config {
  /// The shared secret both sides prove they know.
  std::string secret;
  /// Told of joins and losses.
  pool_supervisor_actor pool;
};

node_registry_actor spawn_node_registry(caf::actor_system& sys,
                                        node_registry_config cfg);

} // namespace webaccel
