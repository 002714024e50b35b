// What travels between the browser connection and its page: requests out
// (alone, or bundled while the page is busy), and what the page says back
// (hello, loaded, results, errors, pongs), each decoded by transport/wire
// and never trusted: a page that breaks the protocol is logged, not obeyed.
#include "actors/connection/state.hpp"
#include "config/logging.hpp"
#include "transport/wire/wire_bundle.hpp"

namespace webaccel::connection {

namespace {

/// Whether a failed request says something about the browser's health
/// (not about the model's fit or the caller's input).
bool counts_against_browser(errc code) {
  return code == errc::out_of_memory || code == errc::timeout
         || code == errc::connection;
}

/// Arms the deadline timer if the earliest deadline has none pending.
void arm_infer_timer(self_ptr self) {
  auto& st = self->state;
  if (auto at = st.infers.timer_to_arm()) {
    auto in = std::chrono::ceil<ms>(*at - self->clock().now());
    self->delayed_send(self, std::max(in, ms{0}), deadline_atom::value,
                       uint64_t{infer_deadlines});
  }
}

/// Sends one message: a request's frame as it is, or several as a bundle.
void transmit(self_ptr self, infer_table::dispatch d) {
  auto& st = self->state;
  if (d.frames.size() == 1) {
    st.channel->send_binary(std::move(d.frames[0]));
    return;
  }
  std::vector<wire::bundled_frame> frames;
  for (auto& f : d.frames)
    frames.push_back({true, std::move(f)});
  auto bundle = wire::encode_bundle(frames, st.cfg.limits);
  if (!bundle) { // Not within the sizes the table allows: fail them.
    for (auto id : d.ids)
      if (auto e = st.infers.take(id))
        e->waiter.deliver(make_error(errc::invalid_request, bundle.error));
    return;
  }
  st.channel->send_binary(std::move(*bundle.value));
}

void on_pong(self_ptr self, const wire::pong& msg) {
  auto& st = self->state;
  if (msg.id != st.ping_id || st.ping_answered)
    return;
  st.ping_answered = true;
  st.heartbeat_ms = ms_since(self, st.ping_sent);
  st.page_heap_bytes = msg.heap_bytes;
}

void on_hello(self_ptr self, wire::hello msg) {
  auto& st = self->state;
  if (st.capabilities) {
    warn_protocol(self, "a second hello (ignored)");
    return;
  }
  msg.capabilities.browser = st.cfg.kind;
  msg.capabilities.node = st.cfg.node_name;
  if (!st.cfg.version.empty())
    msg.capabilities.browser_version = st.cfg.version;
  st.capabilities = std::move(msg.capabilities);
  st.cold_start_ms = ms_since(self, st.launched);
  // Idle from now: a slow start must not look like an idle browser (the pool
  // would retire it before the model waiting for it is loaded).
  st.last_activity = self->clock().now();
  // By now the browser has started its helpers: the sample notes the ones
  // outside its process group, so that they are reaped with it.
  sample_memory(self);
  auto& c = *st.capabilities;
  logger()->info(
    "{} {} ready: wasm simd={} threads={}; webgpu {}{}; webnn {}", c.browser,
    c.browser_version, c.wasm_simd, c.wasm_threads,
    c.webgpu.available ? "available" : "unavailable",
    c.webgpu.available ? (c.adapter.fallback ? " (fallback adapter)" : "")
                       : " (" + c.webgpu.reason + ")",
    c.webnn.available ? "available" : "unavailable (" + c.webnn.reason + ")");
  record_ready(self);
  for (auto& rp : st.waiting)
    rp.deliver(c);
  st.waiting.clear();
  if (st.cfg.pool.heartbeat_ms != 0)
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
    auto failed = make_error(code,
                             "loading " + i->second.what + " failed: " + what);
    record_load(self, i->second, nullptr, failed);
    i->second.promise.deliver(failed);
    st.loads.erase(i);
  } else if (auto e = st.infers.take(err.id)) {
    auto code = classify(st, err, page_phase::infer);
    count_outcome(st, e->waiter, -1, counts_against_browser(code));
    e->waiter.deliver(make_error(code, "inference failed: " + what));
    send_held(self);
  } else {
    warn_protocol(self, "an error for no pending request ("
                          + std::to_string(err.id) + "): " + what);
  }
}

void on_result(self_ptr self, const std::vector<uint8_t>& frame) {
  auto& st = self->state;
  auto res = wire::decode_result(frame, st.cfg.limits);
  if (!res) {
    warn_protocol(self, res.error);
    return;
  }
  auto e = st.infers.take(res.value->id);
  if (!e)
    return; // Answered after its deadline; the caller already has an error.
  auto result = std::move(res.value->result);
  result.round_trip_ms = ms_since(self, e->sent);
  count_outcome(st, e->waiter, result.round_trip_ms);
  if (e->waiter.platform != infer_waiter::not_counted)
    st.last_activity = self->clock().now();
  e->waiter.deliver(std::move(result));
  send_held(self);
}

} // namespace

void send_or_hold(self_ptr self, uint64_t id, infer_waiter waiter,
                  std::vector<uint8_t> frame, clock_type::time_point deadline) {
  auto& st = self->state;
  auto now = self->clock().now();
  if (auto d = st.infers.add(id, std::move(waiter), std::move(frame), now,
                             deadline))
    transmit(self, std::move(*d));
  arm_infer_timer(self);
}

void send_held(self_ptr self) {
  auto& st = self->state;
  // A bundle that could not be encoded frees its room: look again.
  while (st.channel && !st.failure) {
    auto ready = st.infers.sendable(self->clock().now());
    if (ready.empty())
      return;
    for (auto& d : ready)
      transmit(self, std::move(d));
  }
}

void expire_infers(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  st.infers.fired(now);
  for (auto& e : st.infers.expire(now)) {
    count_outcome(st, e.waiter, -1);
    e.waiter.deliver(make_error(
      errc::timeout,
      "no answer from the " + st.cfg.kind + " page within "
        + std::to_string(static_cast<int64_t>(ms_since(self, e.sent)))
        + " ms"));
  }
  send_held(self);
  arm_infer_timer(self);
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
          record_load(self, i->second, &x.model, {});
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

} // namespace webaccel::connection
