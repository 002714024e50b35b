// The browser connection's behavior: each handler decodes its message and
// hands it to the steps in actors/connection/ (the page's side in
// page_events.cpp, launch and the end in lifecycle.cpp) and the request
// table in actors/rules/page_requests.hpp.
#include "actors/browser_connection.hpp"

#include <csignal>

#include "actors/connection/state.hpp"
#include "config/logging.hpp"
#include "transport/browser/proc_table.hpp"
#include "transport/net/http_server.hpp"
#include "transport/wire/wire_bundle.hpp"

namespace webaccel {

namespace {

using namespace connection;

/// How old a memory sample stats() may answer with (the health monitor
/// samples every 2 s by default, so its samples are always fresh).
constexpr auto memory_max_age = std::chrono::milliseconds{1000};

/// What a connection whose browser is being stopped answers: it is gone,
/// as if it had quit already (askers then try another, see
/// placement_attempt.hpp).
caf::error gone() {
  return caf::make_error(caf::sec::request_receiver_down);
}

caf::error not_ready(const browser_connection_state& st) {
  if (st.stopping)
    return gone();
  if (st.failure)
    return st.failure;
  if (!st.capabilities || !st.channel)
    return make_error(errc::connection,
                      st.cfg.kind + " page has not said hello yet");
  return {};
}

/// Fails the connection for its closed bridge: the renderer gone (with the
/// browser alive, or with it) is a crash; a page that closed the socket
/// itself is a connection failure.
void judge_close(self_ptr self, bool renderer_gone) {
  auto& st = self->state;
  auto code = renderer_gone ? errc::browser_crash : errc::connection;
  auto what = renderer_gone
                ? " page process is gone (bridge closed: " + st.closed_why + ")"
                : " bridge closed: " + st.closed_why;
  fail_everything(self, make_error(code, st.cfg.kind + what));
}

void on_deadline(self_ptr self, uint64_t id) {
  auto& st = self->state;
  switch (id) {
    case handshake:
      if (!st.capabilities && !st.failure)
        fail_everything(
          self,
          make_error(errc::connection,
                     st.cfg.kind + " page did not say hello within "
                       + std::to_string(st.cfg.timeouts.launch_ms) + " ms"));
      return;
    case infer_deadlines:
      expire_infers(self);
      finish_drain_if_done(self);
      return;
    case close_settled:
      if (!st.failure)
        scan_page_processes(self, true);
      return;
    case drain_deadline:
      if (!st.failure)
        fail_everything(self,
                        make_error(errc::shutting_down,
                                   st.cfg.kind + " browser was retired before "
                                     + std::to_string(st.infers.size())
                                     + " requests in flight finished"),
                        true);
      return;
    default:
      if (auto i = st.loads.find(id); i != st.loads.end()) {
        auto err = make_error(
          errc::timeout, "loading " + i->second.what + " took longer than "
                           + std::to_string(st.cfg.timeouts.load_ms) + " ms");
        record_load(self, i->second, nullptr, err);
        i->second.promise.deliver(err);
        st.loads.erase(i);
      }
      finish_drain_if_done(self);
  }
}

caf::result<loaded_model> load(self_ptr self, const model_spec& spec,
                               const std::string& platform) {
  auto& st = self->state;
  if (auto err = not_ready(st))
    return err;
  if (st.draining)
    return make_error(errc::connection, st.cfg.kind + " browser is retiring");
  auto key = spec.page_key(platform);
  if (!is_canary_key(key))
    st.last_activity = self->clock().now();
  if (auto i = st.loaded.find(key); i != st.loaded.end())
    return i->second; // Already in the page (another instance uses it).
  auto support = st.capabilities->platform(platform);
  if (support == nullptr)
    return make_error(errc::invalid_request,
                      "unknown platform '" + platform + "'");
  if (!support->available)
    return make_error(errc::browser_capability, st.cfg.kind + " has no "
                                                  + platform + ": "
                                                  + support->reason);
  for (auto* file : files_of(spec)) {
    if (!st.cfg.own_model_files_only)
      st.cfg.routes->add_model(file->sha256, file->path);
    else if (!st.cfg.routes->model_path(file->sha256))
      return make_error(errc::model_incompatible,
                        "node " + st.cfg.node_name + " has no file "
                          + file->sha256 + " of " + spec.name
                          + " (add the model to the node's config)");
  }
  wire::load_command cmd{st.next_id++, key, spec, platform};
  auto rp = self->make_response_promise<loaded_model>();
  st.loads.emplace(cmd.id,
                   pending_load{rp, spec.name + " on " + platform, spec.name,
                                spec.variant.precision, platform});
  st.channel->send_text(wire::encode_load(cmd));
  self->delayed_send(self, ms{st.cfg.timeouts.load_ms}, deadline_atom::value,
                     cmd.id);
  return rp;
}

/// The health monitor's circuit breaker for this browser: open fails fast;
/// half-open lets one probe go at a time (the canary is never held back).
caf::error breaker_gate(browser_connection_state& st, const std::string& key) {
  if (st.breaker == breaker_state::closed || is_canary_key(key))
    return {};
  if (st.breaker == breaker_state::half_open && !st.probe_out) {
    st.probe_out = true;
    return {};
  }
  return make_error(errc::connection,
                    st.cfg.kind + " circuit is "
                      + (st.breaker == breaker_state::open
                           ? "open after "
                               + std::to_string(st.failures_in_a_row)
                               + " failed requests in a row"
                           : std::string{"half-open and its probe is under "
                                         "way"}));
}

caf::result<page_result> infer(self_ptr self, const std::string& key,
                               const page_infer_request& req) {
  auto& st = self->state;
  if (auto err = not_ready(st))
    return err;
  auto now = self->clock().now();
  if (auto err = breaker_gate(st, key))
    return err;
  auto id = st.next_id++;
  auto frame = wire::encode_infer(id, key, req, st.cfg.limits);
  if (!frame)
    return make_error(errc::invalid_request, frame.error);
  infer_waiter waiter{self->make_response_promise<page_result>(),
                      infer_waiter::not_counted};
  auto timeout = req.timeout_ms != 0 ? req.timeout_ms
                                     : st.cfg.timeouts.infer_ms;
  if (!is_canary_key(key)) {
    // Keys end with "@platform" (model_spec::page_key).
    waiter.platform
      = usage_index(st, std::string_view{key}.substr(key.rfind('@') + 1));
    st.usage[waiter.platform].requests++;
    st.requests++;
    st.last_activity = now;
  }
  auto rp = waiter.promise;
  send_or_hold(self, id, std::move(waiter), std::move(*frame.value),
               now + ms{timeout});
  return rp;
}

caf::result<bool> inject_fault(self_ptr self, int32_t pid,
                               const std::string& fault, uint32_t count) {
  auto& st = self->state;
  if (!st.cfg.recovery.fault_injection || !st.browser
      || st.browser->pid() != pid || pid == 0 || st.failure)
    return false;
  logger()->warn("injecting fault '{}' into {} (pid {})", fault, st.cfg.kind,
                 pid);
  if (fault == "kill") {
    ::kill(-pid, SIGKILL); // Its own process group, as we started it.
    return true;
  }
  if (fault == "crash") {
    run_blocking(self, [pid] {
      for (auto renderer : page_processes(pid))
        ::kill(renderer, SIGKILL);
    });
    return true;
  }
  if (!wire::is_page_fault(fault))
    return make_error(errc::invalid_request,
                      "unknown fault '" + fault
                        + "' (kill, crash, hang, oom, unsupported, close, "
                          "freeze, wedge)");
  if (!st.channel)
    return false;
  st.channel->send_text(wire::encode_fault(fault, count));
  return true;
}

/// A model instance left the page's `key`; the page unloads the key when
/// its last instance left.
void detach(self_ptr self, const std::string& key,
            const model_actor& instance) {
  auto& st = self->state;
  auto i = st.tenants.find(key);
  if (i == st.tenants.end() || i->second.erase(instance) == 0)
    return;
  if (i->second.empty()) {
    st.tenants.erase(i);
    st.loaded.erase(key);
    if (st.channel && !st.failure)
      st.channel->send_text(wire::encode_unload(key));
  }
  finish_drain_if_done(self);
}

browser_connection_actor::behavior_type
browser_connection(self_ptr self, browser_connection_config cfg) {
  auto& init = self->state;
  init.cfg = std::move(cfg);
  infer_table::sizes sizes;
  sizes.max_message_bytes = init.cfg.limits.max_message_bytes;
  sizes.max_bundle_requests = std::min<size_t>(
    sizes.max_bundle_requests, init.cfg.limits.max_bundle_frames);
  sizes.bundle_overhead = wire::bundle_header_bytes;
  sizes.frame_overhead = wire::bundle_frame_header_bytes;
  init.infers = infer_table{sizes};
  launch(self);
  // Instances on a head that is gone (a node's browser) never detach:
  // their down does it for them.
  self->set_down_handler([=](const caf::down_msg& msg) {
    for (auto& [key, instances] : self->state.tenants)
      for (auto& instance : instances)
        if (instance.address() == msg.source) {
          auto held = instance;
          detach(self, std::string{key}, held);
          return;
        }
  });
  return {
    [=](opened_atom, bridge_channel_ptr channel) {
      auto& st = self->state;
      if (st.channel || st.failure) {
        channel->close(); // Tokens are one-time; this cannot be our page.
        return;
      }
      st.channel = std::move(channel);
    },
    [=](text_atom, const std::string& frame) { on_text(self, frame); },
    [=](binary_atom, const std::vector<uint8_t>& frame) {
      on_binary(self, frame);
    },
    [=](closed_atom, const std::string& why) {
      auto& st = self->state;
      if (st.failure || !st.closed_why.empty())
        return;
      st.closed_why = why;
      // Not a local process: nothing to look at.
      if (st.launched_pid == 0)
        judge_close(self, false);
      else
        scan_page_processes(self, false);
    },
    [=](scanned_atom, bool gone, bool settled) {
      if (self->state.failure)
        return;
      // A kill -9 of the browser's process group can close the socket (the
      // network process holds it) before the renderer starts to exit: with
      // the renderer still up, judge once its processes had a moment.
      if (gone || settled)
        judge_close(self, gone);
      else
        self->delayed_send(self, close_settle_time, deadline_atom::value,
                           uint64_t{close_settled});
    },
    [=](exited_atom, int32_t status, const std::string& what) {
      if (self->state.failure)
        return;
      if (status == browser_instance::refused)
        fail_everything(self, make_error(errc::browser_unavailable,
                                         self->state.cfg.kind + ": " + what));
      else
        fail_everything(self,
                        make_error(errc::browser_crash,
                                   self->state.cfg.kind + " process " + what));
    },
    [=](stopped_atom) {
      auto& st = self->state;
      for (auto& rp : st.shutdown_waiters)
        rp.deliver(true);
      st.shutdown_waiters.clear();
      for (auto& rp : st.stats_waiters)
        rp.deliver(make_stats(self));
      st.stats_waiters.clear();
      if (st.normal_exit)
        self->quit();
      else
        self->quit(st.failure);
    },
    [=](memory_atom, uint64_t bytes) {
      auto& st = self->state;
      st.sampling = false;
      st.process_bytes = bytes;
      st.memory_at = self->clock().now();
      for (auto& rp : st.stats_waiters)
        rp.deliver(make_stats(self));
      st.stats_waiters.clear();
    },
    [=](deadline_atom, uint64_t id) { on_deadline(self, id); },
    [=](heartbeat_atom) { heartbeat(self); },
    [=](attach_atom, const std::string& key, model_actor instance) {
      auto& st = self->state;
      if (st.failure) {
        // Too late: tell the instance so it does not wait for us.
        caf::anon_send(instance, drain_atom::value, render_error(st.failure),
                       false);
        return;
      }
      if (instance.node() != self->node())
        self->monitor(instance);
      st.tenants[key].insert(instance);
      if (st.draining)
        caf::anon_send(instance, drain_atom::value,
                       std::string{"browser is retiring"}, true);
    },
    [=](detach_atom, const std::string& key, const model_actor& instance) {
      detach(self, key, instance);
    },
    [=](drain_atom, const std::string& why, bool move_now) {
      auto& st = self->state;
      if (st.draining || st.failure)
        return;
      st.draining = true;
      st.retire_why = why;
      logger()->info("{} browser (pid {}) retires: {}", st.cfg.kind,
                     st.launched_pid, why);
      for (auto& [key, instances] : st.tenants)
        for (auto& instance : instances)
          caf::anon_send(instance, drain_atom::value, why, move_now);
      self->delayed_send(self, ms{st.cfg.pool.drain_timeout_ms},
                         deadline_atom::value, uint64_t{drain_deadline});
      finish_drain_if_done(self);
    },
    [=](health_atom, double score, breaker_state breaker) {
      auto& st = self->state;
      st.health_score = score;
      if (breaker != st.breaker)
        st.probe_out = false;
      st.breaker = breaker;
    },
    [=](recycle_atom, uint8_t category, const std::string& why) {
      auto& st = self->state;
      if (st.failure)
        return;
      st.retire_why = "health: " + why;
      logger()->warn("{} browser (pid {}) is recycled by the health monitor: "
                     "{}",
                     st.cfg.kind, st.launched_pid, why);
      // What is in flight fails over to the model's recovery at once: on a
      // sick page it might never finish.
      fail_everything(self, make_error(static_cast<errc>(category),
                                       st.cfg.kind
                                         + " browser recycled by the health "
                                           "monitor: "
                                         + why));
    },
    [=](stats_atom) -> caf::result<connection_stats> {
      // A fresh memory figure, measured off this thread.
      auto& st = self->state;
      auto fresh = st.memory_at
                   && self->clock().now() - *st.memory_at < memory_max_age;
      if (st.stopping || fresh || !sample_memory(self))
        return make_stats(self);
      auto rp = self->make_response_promise<connection_stats>();
      st.stats_waiters.push_back(rp);
      return rp;
    },
    [=](ready_atom) -> caf::result<browser_capabilities> {
      auto& st = self->state;
      if (st.stopping)
        return gone();
      if (st.failure)
        return st.failure;
      if (st.capabilities)
        return *st.capabilities;
      auto rp = self->make_response_promise<browser_capabilities>();
      st.waiting.push_back(rp);
      return rp;
    },
    [=](load_atom, const model_spec& spec, const std::string& platform) {
      return load(self, spec, platform);
    },
    [=](infer_atom, const std::string& key, const page_infer_request& req) {
      return infer(self, key, req);
    },
    [=](fault_atom, int32_t pid, const std::string& fault, uint32_t count) {
      return inject_fault(self, pid, fault, count);
    },
    [=](shutdown_atom) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      self->state.shutdown_waiters.push_back(rp);
      fail_everything(
        self, make_error(errc::shutting_down,
                         self->state.cfg.kind + " connection was shut down"));
      return rp;
    },
  };
}

} // namespace

browser_connection_actor
spawn_browser_connection(caf::actor_system& sys,
                         browser_connection_config cfg) {
  return sys.spawn(browser_connection, std::move(cfg));
}

} // namespace webaccel
