// The runtime's and the model handle's insides, shared by runtime.cpp (the
// runtime's calls) and model_handle.cpp (the handle's). Private to actors/.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <caf/all.hpp>

#include "actors/browser_inventory.hpp"
#include "actors/runtime.hpp"
#include "messages/interfaces.hpp"
#include "transport/blocking_pool.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel {

/// A failure of a runtime call, from the actor error it got.
failure to_failure(const caf::error& err);

struct runtime::impl {
  /// Starts the actor system (tuned in runtime.cpp).
  explicit impl(runtime_config c);

  runtime_config cfg;
  browser_inventory browsers;
  caf::actor_system_config sys_cfg;
  caf::actor_system sys;
  std::shared_ptr<http_server> server;
  pool_supervisor_actor pool;
  /// A head's door for nodes, and the port it was published on (0: none).
  node_registry_actor registry;
  uint16_t node_port = 0;
  std::atomic<bool> running{false};
  /// Where connections stop browsers and scan /proc; after `sys` so that
  /// it is joined first, while its tasks can still message actors.
  std::shared_ptr<blocking_pool> blocking = std::make_shared<blocking_pool>();
};

/// A head: publishes the node registry on nodes.listen_port.
/// @throws config_error (the secret's file), std::runtime_error (the port)
void take_nodes(runtime::impl& rt);

/// A head: unpublishes the registry and stops it.
void stop_taking_nodes(runtime::impl& rt);

/// Whether the config makes this runtime a head or a node, which needs
/// CAF's io middleman.
bool uses_nodes(const runtime_config& cfg);

/// Loads the middleman and sets its heartbeat for a runtime with nodes.
void tune_for_nodes(caf::actor_system_config& sys_cfg, const node_policy& p);

/// A node: the model files of its own config, served by sha256 whatever
/// path a head's spec names.
void serve_own_model_files(runtime::impl& rt);

struct model_handle::impl {
  std::shared_ptr<runtime::impl> rt;
  model_actor actor;
  std::string name;
};

} // namespace webaccel
