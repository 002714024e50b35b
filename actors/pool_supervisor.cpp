#include "actors/pool_supervisor.hpp"

#include <chrono>
#include <map>
#include <vector>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace webaccel {

namespace {

using ms = std::chrono::milliseconds;

struct connection_slot {
  browser_connection_actor handle;
  bool ready = false;
  std::vector<caf::typed_response_promise<browser_connection_actor>> waiting;
};

struct pool_supervisor_state {
  static inline const char* name = "pool_supervisor";
  pool_config cfg;
  router_actor router;
  /// One connection per kind for now; the browser pool adds min/max.
  std::map<std::string, connection_slot> connections;
  bool shutting_down = false;
};

using self_ptr = pool_supervisor_actor::stateful_pointer<pool_supervisor_state>;

void start_connection(self_ptr self, const std::string& kind) {
  auto& st = self->state;
  auto& slot = st.connections[kind];
  std::string error;
  auto launch = st.cfg.make_launcher(kind, error);
  if (!launch) {
    auto err = make_error(errc::browser_unavailable, error);
    for (auto& rp : slot.waiting)
      rp.deliver(err);
    st.connections.erase(kind);
    return;
  }
  auto cfg = st.cfg.connection;
  cfg.kind = kind;
  cfg.launch = std::move(launch);
  slot.handle = spawn_browser_connection(self->system(), std::move(cfg));
  self->monitor(slot.handle);
  auto conn = slot.handle;
  self
    ->request(conn, ms{st.cfg.connection.launch_timeout_ms + 5000}, ready_atom::value)
    .then(
      [=](browser_capabilities&) {
        auto i = self->state.connections.find(kind);
        if (i == self->state.connections.end() || i->second.handle != conn)
          return;
        i->second.ready = true;
        for (auto& rp : i->second.waiting)
          rp.deliver(conn);
        i->second.waiting.clear();
      },
      [=](caf::error& err) {
        spdlog::warn("{} did not come up: {}", kind, render_error(err));
        auto i = self->state.connections.find(kind);
        if (i != self->state.connections.end() && i->second.handle == conn) {
          for (auto& rp : i->second.waiting)
            rp.deliver(err);
          self->state.connections.erase(i);
        }
        caf::anon_send(conn, shutdown_atom::value);
      });
}

/// Stops the router and every connection; answers `rp` when all are done.
void shut_down(self_ptr self, caf::typed_response_promise<bool> rp) {
  auto& st = self->state;
  st.shutting_down = true;
  auto remaining = std::make_shared<size_t>(st.connections.size() + 1);
  auto promise = std::make_shared<caf::typed_response_promise<bool>>(rp);
  auto one_done = [=] {
    if (--*remaining == 0) {
      promise->deliver(true);
      self->quit();
    }
  };
  self->request(st.router, ms{10000}, shutdown_atom::value)
    .then([=](bool) { one_done(); }, [=](caf::error&) { one_done(); });
  for (auto& [kind, slot] : st.connections) {
    for (auto& waiting : slot.waiting)
      waiting.deliver(make_error(errc::shutting_down, "runtime shut down"));
    self->request(slot.handle, ms{30000}, shutdown_atom::value)
      .then([=](bool) { one_done(); }, [=](caf::error&) { one_done(); });
  }
}

pool_supervisor_actor::behavior_type pool_supervisor(self_ptr self, pool_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.router = spawn_router(self->system(), self->state.cfg.router, self);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& conns = self->state.connections;
    for (auto i = conns.begin(); i != conns.end(); ++i)
      if (i->second.handle.address() == msg.source) {
        spdlog::info("{} connection is down: {}", i->first, render_error(msg.reason));
        for (auto& rp : i->second.waiting)
          rp.deliver(msg.reason);
        conns.erase(i);
        return;
      }
  });
  return {
    [=](connect_atom, const std::string& kind) -> caf::result<browser_connection_actor> {
      auto& st = self->state;
      if (st.shutting_down)
        return make_error(errc::shutting_down, "runtime is shutting down");
      if (auto i = st.connections.find(kind);
          i != st.connections.end() && i->second.ready)
        return i->second.handle;
      auto rp = self->make_response_promise<browser_connection_actor>();
      auto& slot = st.connections[kind];
      slot.waiting.push_back(rp);
      if (!slot.handle)
        start_connection(self, kind);
      return rp;
    },
    [=](get_atom, model_request& req) {
      return self->delegate(self->state.router, get_atom::value, std::move(req));
    },
    [=](shutdown_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      shut_down(self, rp);
      return rp;
    },
  };
}

} // namespace

pool_supervisor_actor spawn_pool_supervisor(caf::actor_system& sys, pool_config cfg) {
  return sys.spawn(pool_supervisor, std::move(cfg));
}

} // namespace webaccel
