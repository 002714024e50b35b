// The browser connection's life: launch, heartbeats, memory samples, the
// judgement of a closed bridge, draining, and the end. Everything that can
// block (stopping the browser, /proc) runs through run_blocking() and
// reports back by message.
#include "actors/connection/state.hpp"
#include "actors/rules/canary.hpp"
#include "config/logging.hpp"
#include "transport/browser/proc_table.hpp"
#include "transport/net/http_server.hpp"

namespace webaccel::connection {

namespace {

/// Sends `xs` to the connection if it still lives (from any thread).
template <class... Ts>
void tell(const caf::weak_actor_ptr& weak, Ts&&... xs) {
  if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak))
    caf::anon_send(caf::actor_cast<browser_connection_actor>(strong),
                   std::forward<Ts>(xs)...);
}

} // namespace

double ms_since(self_ptr self, clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(self->clock().now() - t)
    .count();
}

void run_blocking(self_ptr self, std::function<void()> call) {
  auto& run = self->state.cfg.run_blocking;
  if (run)
    run(std::move(call));
  else
    call();
}

void warn_protocol(self_ptr self, const std::string& what) {
  auto& st = self->state;
  uint64_t suppressed = 0;
  if (st.protocol_log.allow(self->clock().now(), suppressed))
    logger()->warn("{} page broke the protocol: {}{}", st.cfg.kind, what,
                   suppressed_note(suppressed));
}

void fail_everything(self_ptr self, caf::error err, bool normal) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.stopping = true;
  if (!st.failure)
    st.failure = err;
  st.normal_exit = normal;
  logger()->info("{} connection ends: {}", st.cfg.kind, render_error(err));
  for (auto& rp : st.waiting)
    rp.deliver(err);
  st.waiting.clear();
  for (auto& [id, p] : st.loads) {
    record_load(self, p, nullptr, err);
    p.promise.deliver(err);
  }
  st.loads.clear();
  record_end(self);
  for (auto& e : st.infers.take_all())
    e.waiter.deliver(err);
  if (st.channel)
    st.channel->close();
  st.channel.reset();
  st.cfg.routes->forget_bridge(st.token);
  // The quit waits for the browser to be gone: a shutdown answers only
  // then, and a restart never overlaps the old browser.
  auto browser = std::move(st.browser);
  if (!browser) {
    caf::anon_send(caf::actor_cast<browser_connection_actor>(self),
                   stopped_atom::value);
    return;
  }
  caf::weak_actor_ptr weak = self->ctrl();
  run_blocking(self, [browser, weak] {
    browser->stop();
    tell(weak, stopped_atom::value);
  });
}

void finish_drain_if_done(self_ptr self) {
  auto& st = self->state;
  // A model loaded here counts until its instance came and left: a browser
  // that retires while loading a model serves that model's waiting requests
  // before it goes (else, where a launch and a load take longer than the
  // browser's lifetime, no request would ever run).
  auto host_models
    = std::count_if(st.loaded.begin(), st.loaded.end(),
                    [](auto& kv) { return !is_canary_key(kv.first); });
  if (st.draining && !st.failure && st.infers.empty() && st.loads.empty()
      && st.tenants.empty() && host_models == 0)
    fail_everything(self,
                    make_error(errc::shutting_down,
                               st.cfg.kind + " browser was retired"),
                    true);
}

void heartbeat(self_ptr self) {
  auto& st = self->state;
  if (st.failure || !st.channel)
    return;
  auto now = self->clock().now();
  if (st.ping_answered) {
    st.ping_id++;
    st.ping_sent = now;
    st.ping_answered = false;
    st.channel->send_text(wire::encode_ping(st.ping_id));
  } else if (std::all_of(st.loads.begin(), st.loads.end(), [](auto& kv) {
               return kv.second.model == canary_model_name;
             })) {
    // (Creating an onnxruntime-web session can block the page's JavaScript
    // for seconds; the load's own deadline covers a page stuck meanwhile.
    // The canary's is tiny: it excuses no silence.)
    auto silent = std::chrono::duration_cast<ms>(now - st.ping_sent);
    if (silent.count() >= st.cfg.pool.heartbeat_timeout_ms) {
      fail_everything(self, make_error(errc::timeout,
                                       st.cfg.kind
                                         + " page did not answer a heartbeat "
                                           "for "
                                         + std::to_string(silent.count())
                                         + " ms (its JavaScript is stuck)"));
      return;
    }
  }
  self->delayed_send(self, ms{st.cfg.pool.heartbeat_ms}, heartbeat_atom::value);
}

bool sample_memory(self_ptr self) {
  auto& st = self->state;
  if (!st.browser || st.launched_pid == 0)
    return false;
  if (st.sampling)
    return true;
  st.sampling = true;
  caf::weak_actor_ptr weak = self->ctrl();
  run_blocking(self, [browser = st.browser, weak] {
    // Helpers that started since the last look are reaped with the group.
    browser->track_helpers();
    tell(weak, memory_atom::value, browser->memory_bytes());
  });
  return true;
}

void scan_page_processes(self_ptr self, bool settled) {
  caf::weak_actor_ptr weak = self->ctrl();
  run_blocking(self, [pid = self->state.launched_pid, settled, weak] {
    // By the launch's pid: a browser already reaped has no family left.
    tell(weak, scanned_atom::value, page_processes(pid).empty(), settled);
  });
}

void launch(self_ptr self) {
  auto& st = self->state;
  st.token = make_bridge_token();
  st.cfg.routes->expect_bridge(st.token, self);
  auto url = st.cfg.origin + "/?token=" + st.token;
  if (st.cfg.recovery.fault_injection)
    url += "&faults=1"; // The page obeys fault commands only then.
  caf::weak_actor_ptr weak = self->ctrl();
  auto on_exit = [weak](int status, std::string what) {
    tell(weak, exited_atom::value, int32_t{status}, std::move(what));
  };
  std::string error;
  // Fast for a local browser (fork and exec); a WebDriver launch creates
  // its session on a thread of its own.
  st.browser = st.cfg.launch(url, on_exit, error);
  if (!st.browser) {
    // Answer `ready` with this; the pool then shuts us down.
    st.failure = make_error(errc::browser_unavailable, error);
    st.cfg.routes->forget_bridge(st.token);
    return;
  }
  st.launched_pid = st.browser->pid();
  logger()->info("launched {} (pid {})", st.cfg.kind, st.launched_pid);
  st.launched = self->clock().now();
  st.last_activity = st.launched;
  self->delayed_send(self, ms{st.cfg.timeouts.launch_ms}, deadline_atom::value,
                     uint64_t{handshake});
}

connection_stats make_stats(self_ptr self) {
  auto& st = self->state;
  connection_stats out;
  out.kind = st.cfg.kind;
  out.pid = st.browser ? st.browser->pid() : 0;
  out.state = st.draining       ? "draining"
              : st.capabilities ? "ready"
                                : "launching";
  out.requests = st.requests;
  out.in_flight = static_cast<uint32_t>(st.infers.size() + st.loads.size());
  for (auto& [key, instances] : st.tenants)
    out.models += static_cast<uint32_t>(instances.size());
  out.age_ms = ms_since(self, st.launched);
  out.idle_ms = ms_since(self, st.last_activity);
  out.cold_start_ms = st.cold_start_ms;
  out.process_bytes = st.process_bytes;
  out.page_heap_bytes = st.page_heap_bytes;
  out.heartbeat_ms = st.heartbeat_ms;
  for (auto& [key, model] : st.loaded)
    if (!is_canary_key(key))
      out.loaded_models.push_back(key);
  out.loading = static_cast<uint32_t>(st.loads.size());
  out.breaker = st.breaker;
  out.failures_in_a_row = st.failures_in_a_row;
  out.answered = st.answered;
  out.failures = st.failures;
  for (auto& u : st.usage)
    out.platforms.push_back(
      {u.platform, u.requests, u.failures, u.round_trips.to_text()});
  out.health_score = st.health_score;
  return out;
}

} // namespace webaccel::connection
