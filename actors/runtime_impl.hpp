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
  std::atomic<bool> running{false};
  /// Where connections stop browsers and scan /proc; after `sys` so that
  /// it is joined first, while its tasks can still message actors.
  std::shared_ptr<blocking_pool> blocking = std::make_shared<blocking_pool>();
};

struct model_handle::impl {
  std::shared_ptr<runtime::impl> rt;
  model_actor actor;
  std::string name;
};

} // namespace webaccel
