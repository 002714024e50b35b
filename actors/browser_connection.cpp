#include "actors/browser_connection.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include <caf/all.hpp>

#include <csignal>

#include "actors/rules/circuit_breaker.hpp"
#include "actors/rules/error_classifier.hpp"
#include "config/log_rate_limit.hpp"
#include "config/logging.hpp"
#include "transport/browser/proc_table.hpp"
#include "transport/net/http_server.hpp"
#include "transport/wire/wire_bundle.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

/// Deadline id of a drain (request ids count up from 1; 0 is the handshake).
constexpr uint64_t drain_deadline = UINT64_MAX;
/// Deadline id of the one timer that expires inference requests.
constexpr uint64_t infer_deadlines = UINT64_MAX - 1;
/// Deadline id of the moment a closed bridge is judged (see judge_close).
constexpr uint64_t close_settled = UINT64_MAX - 2;
/// How long the browser's processes get to show they are dying.
constexpr std::chrono::milliseconds close_settle_time{300};

/// Messages with requests that the page is working on at once: one running,
/// one waiting so that the page never idles for a round trip. Requests
/// arriving meanwhile are held, then sent together as one bundle.
constexpr size_t max_dispatches_at_page = 2;
constexpr size_t max_bundle_requests = 64;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t)
    .count();
}

struct pending_load {
  caf::typed_response_promise<loaded_model> promise;
  std::string what;
};

struct pending_infer {
  caf::typed_response_promise<page_result> promise;
  clock_type::time_point sent;
  clock_type::time_point deadline;
  /// The message it went out in; 0 while held back.
  uint64_t dispatch = 0;
};

} // namespace

struct browser_connection_state {
  static inline const char* name = "browser_connection";

  browser_connection_config cfg;
  std::string token;
  std::unique_ptr<browser_instance> browser;
  bridge_channel_ptr channel;
  std::optional<browser_capabilities> capabilities;
  std::vector<caf::typed_response_promise<browser_capabilities>> waiting;
  uint64_t next_id = 1;
  std::map<uint64_t, pending_load> loads;
  std::map<uint64_t, pending_infer> infers;
  /// When the inference deadline timer fires next, if armed.
  std::optional<clock_type::time_point> infer_timer;
  /// Messages at the page, each with its count of unanswered requests.
  std::map<uint64_t, size_t> dispatches;
  uint64_t next_dispatch = 0;
  /// Encoded requests held back while the page is busy, by request id.
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> held;
  /// Models the page has loaded, by key.
  std::map<std::string, loaded_model> loaded;
  /// Model instances living here, by key (several instances may share one).
  std::map<std::string, std::set<model_actor>> tenants;
  /// Set once the connection failed; every later request fails with it.
  caf::error failure;
  /// The browser's main process as launched (0: not a local process);
  /// `browser->pid()` turns 0 once it is reaped.
  pid_t launched_pid = 0;
  /// Why the bridge closed, while its browser's processes looked alive.
  std::string closed_why;
  /// Retiring: finish what is in flight, then quit.
  bool draining = false;
  clock_type::time_point launched = clock_type::now();
  double cold_start_ms = 0;
  clock_type::time_point last_activity = clock_type::now();
  uint64_t requests = 0;
  /// The last ping: its id, when it went out, and whether it was answered.
  uint64_t ping_id = 0;
  clock_type::time_point ping_sent;
  bool ping_answered = true;
  double heartbeat_ms = 0;
  uint64_t page_heap_bytes = 0;
  circuit_breaker breaker{0, std::chrono::milliseconds{0}};
  /// The page is outside input: its protocol errors are logged sparingly.
  log_rate_limit protocol_log{5, std::chrono::seconds{10}};
};

namespace {

using self_ptr
  = browser_connection_actor::stateful_pointer<browser_connection_state>;

/// Logs that the page broke the protocol (at most a few lines a while).
void warn_protocol(self_ptr self, const std::string& what) {
  auto& st = self->state;
  uint64_t suppressed = 0;
  if (st.protocol_log.allow(self->clock().now(), suppressed))
    logger()->warn("{} page broke the protocol: {}{}", st.cfg.kind, what,
                   suppressed_note(suppressed));
}

size_t tenant_count(const browser_connection_state& st) {
  size_t n = 0;
  for (auto& [key, instances] : st.tenants)
    n += instances.size();
  return n;
}

/// Whether a failed request says something about the browser's health
/// (not about the model's fit or the caller's input).
bool counts_against_browser(errc code) {
  return code == errc::out_of_memory || code == errc::timeout
         || code == errc::connection;
}

/// Fails every pending request with `err`, kills the browser and quits
/// (with `err`, or normally for a finished drain).
void fail_everything(self_ptr self, caf::error err, bool normal_exit = false) {
  auto& st = self->state;
  if (!st.failure)
    st.failure = err;
  logger()->info("{} connection ends: {}", st.cfg.kind, render_error(err));
  for (auto& rp : st.waiting)
    rp.deliver(err);
  st.waiting.clear();
  for (auto& [id, p] : st.loads)
    p.promise.deliver(err);
  st.loads.clear();
  for (auto& [id, p] : st.infers)
    p.promise.deliver(err);
  st.infers.clear();
  st.held.clear();
  st.dispatches.clear();
  if (st.channel)
    st.channel->close();
  st.channel.reset();
  st.cfg.routes->forget_bridge(st.token);
  if (st.browser)
    st.browser->stop();
  if (normal_exit)
    self->quit();
  else
    self->quit(err);
}

/// Whether the page's renderer is gone (or exiting). By the launch's pid: a
/// browser already reaped has no family left. False for a browser that is
/// not a local process.
bool renderer_gone(const browser_connection_state& st) {
  return st.launched_pid != 0 && page_processes(st.launched_pid).empty();
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

/// A draining connection quits once nothing is in flight and every model
/// moved away. A model loaded here counts until its instance came and left:
/// a browser that retires while loading a model serves that model's waiting
/// requests before it goes (else, where a launch and a load take longer than
/// the browser's lifetime, no request would ever run).
void finish_drain_if_done(self_ptr self) {
  auto& st = self->state;
  if (st.draining && !st.failure && st.infers.empty() && st.loads.empty()
      && st.tenants.empty() && st.loaded.empty())
    fail_everything(self,
                    make_error(errc::shutting_down,
                               st.cfg.kind + " browser was retired"),
                    true);
}

/// Pings the page, or fails the connection if the last ping went unanswered
/// for too long: a page whose JavaScript is stuck closes nothing.
void heartbeat(self_ptr self) {
  auto& st = self->state;
  if (st.failure || !st.channel)
    return;
  auto now = clock_type::now();
  if (st.ping_answered) {
    st.ping_id++;
    st.ping_sent = now;
    st.ping_answered = false;
    st.channel->send_text(wire::encode_ping(st.ping_id));
  } else if (st.loads.empty()) {
    // (Creating an onnxruntime-web session can block the page's JavaScript
    // for seconds; the load's own deadline covers a page stuck meanwhile.)
    auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(
      now - st.ping_sent);
    if (silent.count() >= st.cfg.heartbeat_timeout_ms) {
      fail_everything(
        self, make_error(errc::timeout,
                         st.cfg.kind + " page did not answer a heartbeat for "
                           + std::to_string(silent.count())
                           + " ms (its JavaScript is stuck)"));
      return;
    }
  }
  self->delayed_send(self, std::chrono::milliseconds{st.cfg.heartbeat_ms},
                     heartbeat_atom::value);
}

/// Sends encoded requests as one message (a bundle if several).
void dispatch(self_ptr self, std::vector<uint64_t> ids,
              std::vector<wire::bundled_frame> frames) {
  auto& st = self->state;
  std::vector<uint8_t> message;
  if (frames.size() == 1) {
    message = std::move(frames[0].bytes);
  } else {
    auto bundle = wire::encode_bundle(frames, st.cfg.limits);
    if (!bundle) { // Not within the sizes send_held allows.
      for (auto id : ids) {
        st.infers.at(id).promise.deliver(
          make_error(errc::invalid_request, bundle.error));
        st.infers.erase(id);
      }
      return;
    }
    message = std::move(*bundle.value);
  }
  auto number = ++st.next_dispatch;
  st.dispatches[number] = ids.size();
  auto now = clock_type::now();
  for (auto id : ids) {
    auto& p = st.infers.at(id);
    p.dispatch = number;
    p.sent = now;
  }
  st.channel->send_binary(std::move(message));
}

/// Sends the held requests, as bundles, while the page has room.
void send_held(self_ptr self) {
  auto& st = self->state;
  // Room for the bundle's own framing.
  const uint64_t budget = st.cfg.limits.max_message_bytes - 64;
  while (!st.held.empty() && st.dispatches.size() < max_dispatches_at_page
         && st.channel && !st.failure) {
    std::vector<uint64_t> ids;
    std::vector<wire::bundled_frame> frames;
    uint64_t bytes = 0;
    size_t used = 0;
    for (; used < st.held.size() && ids.size() < max_bundle_requests; ++used) {
      auto& [id, frame] = st.held[used];
      if (st.infers.count(id) == 0)
        continue; // Its deadline passed while it was held.
      if (!ids.empty() && bytes + frame.size() + 5 > budget)
        break;
      bytes += frame.size() + 5;
      ids.push_back(id);
      frames.push_back({true, std::move(frame)});
    }
    st.held.erase(st.held.begin(),
                  st.held.begin() + static_cast<ptrdiff_t>(used));
    if (!ids.empty())
      dispatch(self, std::move(ids), std::move(frames));
  }
}

/// A request left the page (answered, failed or expired): once its message
/// has no request left there, held requests may go.
void left_page(self_ptr self, const pending_infer& p) {
  auto& st = self->state;
  auto d = st.dispatches.find(p.dispatch);
  if (d == st.dispatches.end())
    return; // Held, never sent.
  if (--d->second == 0) {
    st.dispatches.erase(d);
    send_held(self);
  }
}

/// Arms the inference deadline timer for `at` unless it fires earlier. One
/// timer serves every request: a timer each would wake CAF's clock thread
/// for every request, and again to cancel it.
void arm_infer_timer(self_ptr self, clock_type::time_point at) {
  auto& st = self->state;
  if (st.infer_timer && *st.infer_timer <= at)
    return;
  st.infer_timer = at;
  auto in
    = std::chrono::ceil<std::chrono::milliseconds>(at - self->clock().now());
  self->delayed_send(self, std::max(in, std::chrono::milliseconds{0}),
                     deadline_atom::value, infer_deadlines);
}

/// Fails the requests past their deadline and arms the timer for the next.
void expire_infers(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  // A timer armed before an earlier one replaced it: that one is due first.
  if (st.infer_timer && now + std::chrono::milliseconds{1} < *st.infer_timer)
    return;
  st.infer_timer.reset();
  std::vector<pending_infer> expired;
  for (auto i = st.infers.begin(); i != st.infers.end();) {
    if (i->second.deadline > now) {
      ++i;
      continue;
    }
    expired.push_back(std::move(i->second));
    i = st.infers.erase(i);
  }
  for (auto& p : expired) {
    st.breaker.on_failure(now);
    p.promise.deliver(make_error(
      errc::timeout, "no answer from the " + st.cfg.kind + " page within "
                       + std::to_string(static_cast<int64_t>(ms_since(p.sent)))
                       + " ms"));
    left_page(self, p);
  }
  std::optional<clock_type::time_point> next;
  for (auto& [id, p] : st.infers)
    next = next ? std::min(*next, p.deadline) : p.deadline;
  if (next)
    arm_infer_timer(self, *next);
}

void on_pong(self_ptr self, const wire::pong& msg) {
  auto& st = self->state;
  if (msg.id != st.ping_id || st.ping_answered)
    return;
  st.ping_answered = true;
  st.heartbeat_ms = ms_since(st.ping_sent);
  st.page_heap_bytes = msg.heap_bytes;
}

connection_stats make_stats(browser_connection_state& st) {
  connection_stats out;
  out.kind = st.cfg.kind;
  out.pid = st.browser ? st.browser->pid() : 0;
  out.state = st.draining       ? "draining"
              : st.capabilities ? "ready"
                                : "launching";
  out.requests = st.requests;
  out.in_flight = static_cast<uint32_t>(st.infers.size() + st.loads.size());
  out.models = static_cast<uint32_t>(tenant_count(st));
  out.age_ms = ms_since(st.launched);
  out.idle_ms = ms_since(st.last_activity);
  out.cold_start_ms = st.cold_start_ms;
  out.process_bytes = st.browser ? st.browser->memory_bytes() : 0;
  out.page_heap_bytes = st.page_heap_bytes;
  out.heartbeat_ms = st.heartbeat_ms;
  for (auto& [key, model] : st.loaded)
    out.loaded_models.push_back(key);
  out.loading = static_cast<uint32_t>(st.loads.size());
  out.breaker = to_string(st.breaker.current());
  return out;
}

void on_hello(self_ptr self, wire::hello msg) {
  auto& st = self->state;
  if (st.capabilities) {
    warn_protocol(self, "a second hello (ignored)");
    return;
  }
  msg.capabilities.browser = st.cfg.kind;
  if (!st.cfg.version.empty())
    msg.capabilities.browser_version = st.cfg.version;
  // By now the browser has started its helpers; note the ones outside its
  // process group so that they are reaped with it.
  if (st.browser)
    st.browser->track_helpers();
  st.capabilities = std::move(msg.capabilities);
  st.cold_start_ms = ms_since(st.launched);
  // Idle from now: a slow start must not look like an idle browser (the pool
  // would retire it before the model waiting for it is loaded).
  st.last_activity = clock_type::now();
  auto& c = *st.capabilities;
  logger()->info(
    "{} {} ready: wasm simd={} threads={}; webgpu {}{}; webnn {}", c.browser,
    c.browser_version, c.wasm_simd, c.wasm_threads,
    c.webgpu.available ? "available" : "unavailable",
    c.webgpu.available ? (c.adapter.fallback ? " (fallback adapter)" : "")
                       : " (" + c.webgpu.reason + ")",
    c.webnn.available ? "available" : "unavailable (" + c.webnn.reason + ")");
  for (auto& rp : st.waiting)
    rp.deliver(c);
  st.waiting.clear();
  if (st.cfg.heartbeat_ms != 0)
    heartbeat(self);
}

errc classify(const browser_connection_state& st, const wire::page_error& err,
              page_phase phase) {
  return st.cfg.classifier
           ? st.cfg.classifier->classify(err.name, err.message, phase)
           : classify_page_error(err.name, err.message, phase);
}

void on_page_error(self_ptr self, const wire::page_error& err) {
  auto& st = self->state;
  auto what = err.name + ": " + err.message;
  if (auto i = st.loads.find(err.id); i != st.loads.end()) {
    auto code = classify(st, err, page_phase::load);
    i->second.promise.deliver(
      make_error(code, "loading " + i->second.what + " failed: " + what));
    st.loads.erase(i);
  } else if (auto j = st.infers.find(err.id); j != st.infers.end()) {
    auto code = classify(st, err, page_phase::infer);
    if (counts_against_browser(code))
      st.breaker.on_failure(self->clock().now());
    auto p = std::move(j->second);
    st.infers.erase(j);
    p.promise.deliver(make_error(code, "inference failed: " + what));
    left_page(self, p);
  } else {
    warn_protocol(self, "an error for no pending request ("
                          + std::to_string(err.id) + "): " + what);
  }
}

void on_text(self_ptr self, const std::string& frame) {
  auto& st = self->state;
  auto msg = wire::decode_page_text(frame, st.cfg.limits);
  if (!msg) {
    warn_protocol(self, msg.error);
    return;
  }
  std::visit(
    [&](auto& x) {
      using type = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<type, wire::hello>) {
        on_hello(self, std::move(x));
      } else if constexpr (std::is_same_v<type, wire::loaded>) {
        if (auto i = st.loads.find(x.id); i != st.loads.end()) {
          st.loaded[x.model.key] = x.model;
          i->second.promise.deliver(std::move(x.model));
          st.loads.erase(i);
          finish_drain_if_done(self);
        }
      } else if constexpr (std::is_same_v<type, wire::page_error>) {
        on_page_error(self, x);
        finish_drain_if_done(self);
      } else {
        on_pong(self, x);
      }
    },
    *msg.value);
}

void on_result(self_ptr self, const std::vector<uint8_t>& frame) {
  auto& st = self->state;
  auto res = wire::decode_result(frame, st.cfg.limits);
  if (!res) {
    warn_protocol(self, res.error);
    return;
  }
  auto i = st.infers.find(res.value->id);
  if (i == st.infers.end())
    return; // Answered after its deadline; the caller already has an error.
  auto p = std::move(i->second);
  st.infers.erase(i);
  st.breaker.on_success();
  auto result = std::move(res.value->result);
  result.round_trip_ms = ms_since(p.sent);
  p.promise.deliver(std::move(result));
  st.last_activity = clock_type::now();
  left_page(self, p);
}

void on_binary(self_ptr self, const std::vector<uint8_t>& message) {
  auto& st = self->state;
  if (!wire::is_bundle(message)) {
    on_result(self, message);
  } else if (auto frames = wire::decode_bundle(message, st.cfg.limits);
             !frames) {
    warn_protocol(self, frames.error);
  } else {
    for (auto& f : *frames.value) {
      if (f.binary)
        on_result(self, f.bytes);
      else
        on_text(self, std::string{f.bytes.begin(), f.bytes.end()});
    }
  }
  finish_drain_if_done(self);
}

caf::error not_ready(const browser_connection_state& st) {
  if (st.failure)
    return st.failure;
  if (!st.capabilities || !st.channel)
    return make_error(errc::connection,
                      st.cfg.kind + " page has not said hello yet");
  return {};
}

void launch(self_ptr self) {
  auto& st = self->state;
  st.token = make_bridge_token();
  st.cfg.routes->expect_bridge(st.token, self);
  auto url = st.cfg.origin + "/?token=" + st.token;
  if (st.cfg.fault_injection)
    url += "&faults=1"; // The page obeys fault commands only then.
  caf::weak_actor_ptr weak_self = self->ctrl();
  auto on_exit = [weak_self](int status, std::string what) {
    if (auto strong = caf::actor_cast<caf::strong_actor_ptr>(weak_self))
      caf::anon_send(caf::actor_cast<browser_connection_actor>(strong),
                     exited_atom::value, int32_t{status}, std::move(what));
  };
  std::string error;
  st.browser = st.cfg.launch(url, on_exit, error);
  if (!st.browser) {
    // Answer `ready` with this; the pool then shuts us down.
    st.failure = make_error(errc::browser_unavailable, error);
    st.cfg.routes->forget_bridge(st.token);
    return;
  }
  st.launched_pid = st.browser->pid();
  logger()->info("launched {} (pid {})", st.cfg.kind, st.launched_pid);
  st.launched = clock_type::now();
  self->delayed_send(self, std::chrono::milliseconds{st.cfg.launch_timeout_ms},
                     deadline_atom::value, uint64_t{0});
}

browser_connection_actor::behavior_type
browser_connection(self_ptr self, browser_connection_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.breaker = circuit_breaker{
    self->state.cfg.breaker_failures,
    std::chrono::milliseconds{self->state.cfg.breaker_cooldown_ms}};
  launch(self);
  return {
    [=](opened_atom, bridge_channel_ptr channel) {
      auto& st = self->state;
      if (st.channel) {
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
      // A kill -9 of the browser's process group can close the socket (the
      // network process holds it) before the renderer starts to exit: with
      // the renderer still up, judge once its processes had a moment.
      auto gone = renderer_gone(st);
      if (st.launched_pid != 0 && !gone)
        self->delayed_send(self, close_settle_time, deadline_atom::value,
                           close_settled);
      else
        judge_close(self, gone);
    },
    [=](exited_atom, int32_t, const std::string& what) {
      if (!self->state.failure)
        fail_everything(self,
                        make_error(errc::browser_crash,
                                   self->state.cfg.kind + " process " + what));
    },
    [=](deadline_atom, uint64_t id) {
      auto& st = self->state;
      if (id == 0) {
        if (!st.capabilities && !st.failure)
          fail_everything(
            self,
            make_error(errc::connection,
                       st.cfg.kind
                         + " page did not say hello "
                           "within "
                         + std::to_string(st.cfg.launch_timeout_ms) + " ms"));
        return;
      }
      if (id == infer_deadlines) {
        expire_infers(self);
        finish_drain_if_done(self);
        return;
      }
      if (id == close_settled) {
        if (!st.failure)
          judge_close(self, renderer_gone(st));
        return;
      }
      if (id == drain_deadline) {
        if (!st.failure)
          fail_everything(self,
                          make_error(errc::shutting_down,
                                     st.cfg.kind
                                       + " browser was retired before "
                                       + std::to_string(st.infers.size())
                                       + " requests in flight finished"),
                          true);
        return;
      }
      if (auto i = st.loads.find(id); i != st.loads.end()) {
        i->second.promise.deliver(make_error(
          errc::timeout, "loading " + i->second.what + " took longer than "
                           + std::to_string(st.cfg.load_timeout_ms) + " ms"));
        st.loads.erase(i);
      }
      finish_drain_if_done(self);
    },
    [=](heartbeat_atom) { heartbeat(self); },
    [=](attach_atom, const std::string& key, model_actor instance) {
      auto& st = self->state;
      if (st.failure) {
        // Too late: tell the instance so it does not wait for us.
        caf::anon_send(instance, drain_atom::value, render_error(st.failure),
                       false);
        return;
      }
      st.tenants[key].insert(instance);
      if (st.draining)
        caf::anon_send(instance, drain_atom::value,
                       std::string{"browser is retiring"}, true);
    },
    [=](detach_atom, const std::string& key, const model_actor& instance) {
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
    },
    [=](drain_atom, const std::string& why, bool move_now) {
      auto& st = self->state;
      if (st.draining || st.failure)
        return;
      st.draining = true;
      logger()->info("{} browser (pid {}) retires: {}", st.cfg.kind,
                     st.browser ? st.browser->pid() : 0, why);
      for (auto& [key, instances] : st.tenants)
        for (auto& instance : instances)
          caf::anon_send(instance, drain_atom::value, why, move_now);
      self->delayed_send(self,
                         std::chrono::milliseconds{st.cfg.drain_timeout_ms},
                         deadline_atom::value, drain_deadline);
      finish_drain_if_done(self);
    },
    [=](stats_atom) { return make_stats(self->state); },
    [=](ready_atom) -> caf::result<browser_capabilities> {
      auto& st = self->state;
      if (st.failure)
        return st.failure;
      if (st.capabilities)
        return *st.capabilities;
      auto rp = self->make_response_promise<browser_capabilities>();
      st.waiting.push_back(rp);
      return rp;
    },
    [=](load_atom, const model_spec& spec,
        const std::string& platform) -> caf::result<loaded_model> {
      auto& st = self->state;
      if (auto err = not_ready(st))
        return err;
      if (st.draining)
        return make_error(errc::connection,
                          st.cfg.kind + " browser is retiring");
      st.last_activity = clock_type::now();
      auto key = spec.page_key(platform);
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
      for (auto* file : files_of(spec))
        st.cfg.routes->add_model(file->sha256, file->path);
      wire::load_command cmd{st.next_id++, key, spec, platform};
      auto rp = self->make_response_promise<loaded_model>();
      st.loads.emplace(cmd.id, pending_load{rp, spec.name + " on " + platform});
      st.channel->send_text(wire::encode_load(cmd));
      self->delayed_send(self,
                         std::chrono::milliseconds{st.cfg.load_timeout_ms},
                         deadline_atom::value, cmd.id);
      return rp;
    },
    [=](infer_atom, const std::string& key,
        const infer_request& req) -> caf::result<page_result> {
      auto& st = self->state;
      if (auto err = not_ready(st))
        return err;
      if (!st.breaker.allow(self->clock().now()))
        return make_error(
          errc::connection,
          st.cfg.kind + " circuit is open after "
            + std::to_string(st.breaker.consecutive_failures())
            + " failed requests in a row; next probe in "
            + std::to_string(
              st.breaker.cooldown_left(self->clock().now()).count())
            + " ms");
      auto id = st.next_id++;
      auto frame = wire::encode_infer(id, key, req, st.cfg.limits);
      if (!frame)
        return make_error(errc::invalid_request, frame.error);
      auto rp = self->make_response_promise<page_result>();
      auto timeout = req.timeout_ms != 0 ? req.timeout_ms
                                         : st.cfg.infer_timeout_ms;
      // (Deadlines on the actor clock, which tests drive.)
      auto deadline = self->clock().now() + std::chrono::milliseconds{timeout};
      st.infers.emplace(id, pending_infer{rp, clock_type::now(), deadline});
      st.requests++;
      st.last_activity = clock_type::now();
      if (st.dispatches.size() < max_dispatches_at_page && st.held.empty())
        dispatch(self, {id}, {{true, std::move(*frame.value)}});
      else
        st.held.emplace_back(id, std::move(*frame.value));
      arm_infer_timer(self, deadline);
      return rp;
    },
    [=](fault_atom, int32_t pid, const std::string& fault,
        uint32_t count) -> caf::result<bool> {
      auto& st = self->state;
      if (!st.cfg.fault_injection || !st.browser || st.browser->pid() != pid
          || pid == 0 || st.failure)
        return false;
      logger()->warn("injecting fault '{}' into {} (pid {})", fault,
                     st.cfg.kind, pid);
      if (fault == "kill") {
        ::kill(-pid, SIGKILL); // Its own process group, as we started it.
        return true;
      }
      if (fault == "crash") {
        for (auto renderer : page_processes(pid))
          ::kill(renderer, SIGKILL);
        return true;
      }
      if (!wire::is_page_fault(fault))
        return make_error(errc::invalid_request, "unknown fault '" + fault
                                                   + "' (kill, crash, hang, "
                                                     "oom, unsupported, close, "
                                                     "freeze)");
      if (!st.channel)
        return false;
      st.channel->send_text(wire::encode_fault(fault, count));
      return true;
    },
    [=](shutdown_atom) -> bool {
      fail_everything(self, make_error(errc::shutting_down, self->state.cfg.kind
                                                              + " connection "
                                                                "was shut "
                                                                "down"));
      return true;
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
