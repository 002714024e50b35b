#include "actors/model.hpp"

#include <chrono>
#include <vector>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

// Extra time granted to a request whose callee enforces its own deadline.
constexpr uint32_t slack_ms = 5000;

/// A host waiting for its answer.
struct waiter {
  caf::typed_response_promise<infer_result> promise;
  clock_type::time_point arrived;
};

/// A request on its way to the page: the message is built once and can be
/// sent again without copying its tensors. A batch has one waiter per
/// request it carries.
struct page_request {
  /// (infer_atom, key, infer_request)
  caf::message msg;
  uint32_t deadline_ms = 0;
  std::vector<waiter> waiters;
};

/// A request waiting for others to join its batch.
struct batch_entry {
  infer_request req;
  waiter who;
};

struct model_state {
  static inline const char* name = "model";
  model_placement placement;
  /// Provenance shared by every result of this instance.
  provenance origin;
  /// Loading into another browser right now.
  bool binding = false;
  /// Requests that arrived while the instance had no browser.
  std::vector<page_request> queued;
  /// Requests gathering into the next batch, and that batch's number.
  std::vector<batch_entry> gathering;
  uint64_t batch_number = 0;
  /// Requests not answered yet (queued or at the page).
  uint32_t in_flight = 0;
  clock_type::time_point last_activity = clock_type::now();
};

using self_ptr = model_actor::stateful_pointer<model_state>;

provenance make_provenance(const model_placement& p) {
  provenance out;
  out.browser = p.browser.browser;
  out.browser_version = p.browser.browser_version;
  out.platform = p.loaded.platform;
  if (out.platform == "webgpu")
    out.adapter = p.browser.adapter;
  out.precision = p.spec.variant.precision;
  out.mixed_precision = p.spec.variant.mixed_precision;
  out.execution_provider = p.loaded.execution_provider;
  out.placement = p.why;
  out.ignored_options = p.loaded.ignored_options;
  return out;
}

model_actor as_handle(self_ptr self) {
  return caf::actor_cast<model_actor>(self);
}

void bind(self_ptr self);

/// A request was answered: note the time, and look for idleness later.
void answered(self_ptr self) {
  auto& st = self->state;
  st.in_flight--;
  st.last_activity = clock_type::now();
  if (st.in_flight == 0 && st.placement.idle_unload_ms != 0)
    self->delayed_send(self, ms{st.placement.idle_unload_ms}, check_atom::value);
}

/// Answers every waiter of `r` with `err`.
void fail(self_ptr self, page_request& r, const caf::error& err) {
  for (auto& w : r.waiters) {
    w.promise.deliver(err);
    answered(self);
  }
}

/// Sends a request to the page on the current browser and answers its
/// promise with the result.
void send(self_ptr self, page_request r, bool resent = false) {
  auto& p = self->state.placement;
  auto target = p.connection;
  // Where this request runs, even if the instance moves meanwhile.
  auto origin = self->state.origin;
  // The connection enforces the deadline; this one only guards against a
  // connection that never answers at all. (Sent untyped so that the message
  // can be sent again as it is.)
  self
    ->request(caf::actor_cast<caf::actor>(target), ms{r.deadline_ms + slack_ms}, r.msg)
    .then(
      [=](page_result& res) mutable {
        auto& st = self->state;
        auto n = r.waiters.size();
        // A batch's outputs go back to the request each belongs to.
        std::vector<std::vector<tensor>> outputs(n);
        if (n == 1) {
          outputs[0] = std::move(res.outputs);
        } else {
          for (size_t i = 0; i < res.outputs.size(); ++i) {
            auto item = i < res.output_items.size() ? res.output_items[i] : 0;
            if (item < n)
              outputs[item].push_back(std::move(res.outputs[i]));
          }
        }
        auto now = clock_type::now();
        for (size_t i = 0; i < n; ++i) {
          infer_result out;
          out.model = st.placement.spec.name;
          out.batch_size = static_cast<uint32_t>(n);
          out.family = st.placement.spec.family;
          out.synthetic_weights = st.placement.spec.synthetic_weights;
          out.origin = origin;
          out.time.total
            = std::chrono::duration<double, std::milli>(now - r.waiters[i].arrived)
                .count();
          out.time.compute = res.compute_ms;
          out.time.transfer = std::max(0.0, res.round_trip_ms - res.page_ms);
          out.time.queue = std::max(0.0, out.time.total - res.round_trip_ms);
          out.outputs = std::move(outputs[i]);
          r.waiters[i].promise.deliver(std::move(out));
          answered(self);
        }
      },
      [=](caf::error& err) mutable {
        auto& st = self->state;
        // The browser was gone before the request reached it: it never saw
        // it, so sending it again cannot double an answer.
        if (err == caf::sec::request_receiver_down && !resent) {
          if (st.placement.connection == target) {
            self->demonitor(target.address());
            st.placement.connection = nullptr;
          }
          if (st.placement.connection) {
            send(self, std::move(r), true);
          } else {
            st.queued.push_back(std::move(r));
            bind(self);
          }
          return;
        }
        if (err.category() != caf::atom("webaccel"))
          err = make_error(errc::connection, "browser connection unreachable: "
                                               + caf::to_string(err));
        fail(self, r, err);
      });
}

/// Builds the page request for `req` (one request or a merged batch) and
/// sends it, or queues it while the instance has no browser.
void dispatch(self_ptr self, infer_request req, std::vector<waiter> waiters) {
  auto& st = self->state;
  auto& p = st.placement;
  auto deadline = req.timeout_ms;
  page_request r{caf::make_message(infer_atom::value, p.loaded.key, std::move(req)),
                 deadline, std::move(waiters)};
  if (p.connection) {
    send(self, std::move(r));
  } else {
    st.queued.push_back(std::move(r));
    bind(self);
  }
}

/// Sends the requests gathered so far as one batch (alone if only one).
void flush_batch(self_ptr self) {
  auto& st = self->state;
  st.batch_number++;
  auto entries = std::move(st.gathering);
  st.gathering.clear();
  if (entries.empty())
    return;
  if (entries.size() == 1) {
    dispatch(self, std::move(entries[0].req), {std::move(entries[0].who)});
    return;
  }
  infer_request merged;
  merged.batch_items = static_cast<uint32_t>(entries.size());
  std::vector<waiter> waiters;
  for (uint32_t i = 0; i < entries.size(); ++i) {
    auto& e = entries[i];
    merged.timeout_ms = std::max(merged.timeout_ms, e.req.timeout_ms);
    for (auto& t : e.req.inputs) {
      merged.inputs.push_back(std::move(t));
      merged.input_items.push_back(i);
    }
    for (auto& raw : e.req.raw) {
      merged.raw.push_back(std::move(raw));
      merged.raw_items.push_back(i);
    }
    waiters.push_back(std::move(e.who));
  }
  dispatch(self, std::move(merged), std::move(waiters));
}

/// Leaves the current browser (if any) and forgets it.
void unbind(self_ptr self) {
  auto& p = self->state.placement;
  if (!p.connection)
    return;
  self->demonitor(p.connection.address());
  caf::anon_send(p.connection, detach_atom::value, p.loaded.key, as_handle(self));
  p.connection = nullptr;
}

void flush_queue(self_ptr self, const caf::error& err) {
  auto queued = std::move(self->state.queued);
  self->state.queued.clear();
  for (auto& q : queued) {
    if (err)
      fail(self, q, err);
    else
      send(self, std::move(q));
  }
}

/// Switches to a connection that loaded the model.
void switch_to(self_ptr self, browser_connection_actor conn,
               browser_capabilities caps, loaded_model loaded) {
  unbind(self);
  auto& p = self->state.placement;
  p.connection = conn;
  p.browser = std::move(caps);
  p.loaded = std::move(loaded);
  self->state.origin = make_provenance(p);
  self->monitor(conn);
  caf::anon_send(conn, attach_atom::value, p.loaded.key, as_handle(self));
  self->state.binding = false;
  spdlog::info("{} now runs on {} {}", p.spec.name, p.browser.browser,
               p.browser.browser_version);
  flush_queue(self, {});
}

/// Loads the model into another ready browser of the same kind, keeping
/// the current one (if any) until that worked.
void bind(self_ptr self) {
  auto& st = self->state;
  if (st.binding)
    return;
  st.binding = true;
  auto& p = st.placement;
  auto kind = p.browser.browser;
  auto platform = p.loaded.platform;
  auto spec = p.spec;
  auto fail = [=](caf::error err) {
    self->state.binding = false;
    if (err.category() != caf::atom("webaccel"))
      err = make_error(errc::connection, "cannot reach a " + kind
                                           + " browser: " + caf::to_string(err));
    spdlog::warn("{} could not move to another {} browser: {}", spec.name, kind,
                 render_error(err));
    flush_queue(self, err);
    // Still on a retiring browser: try again while it drains.
    if (self->state.placement.connection)
      self->delayed_send(self, std::chrono::seconds{1}, drain_atom::value,
                         std::string{"retrying the move"}, true);
  };
  self
    ->request(p.pool, ms{p.launch_timeout_ms + slack_ms}, connect_atom::value, kind,
              placement_hint{true, spec.page_key(platform), spec.total_bytes()})
    .then(
      [=](browser_connection_actor& conn) {
        self->request(conn, ms{slack_ms}, ready_atom::value)
          .then(
            [=](browser_capabilities& caps) {
              auto timeout = self->state.placement.load_timeout_ms + slack_ms;
              self->request(conn, ms{timeout}, load_atom::value, spec, platform)
                .then(
                  [=](loaded_model& loaded) mutable {
                    switch_to(self, conn, std::move(caps), std::move(loaded));
                  },
                  fail);
            },
            fail);
      },
      fail);
}

model_actor::behavior_type model(self_ptr self, model_placement placement) {
  self->state.origin = make_provenance(placement);
  self->state.placement = std::move(placement);
  auto& first = self->state.placement;
  self->monitor(first.connection);
  caf::anon_send(first.connection, attach_atom::value, first.loaded.key,
                 as_handle(self));
  if (first.idle_unload_ms != 0)
    self->delayed_send(self, ms{first.idle_unload_ms}, check_atom::value);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& p = self->state.placement;
    if (msg.source != p.connection.address())
      return;
    // Requests in flight there already failed; the next one loads the model
    // into a browser again.
    spdlog::info("{} lost its {} browser: {}", p.spec.name, p.browser.browser,
                 render_error(msg.reason));
    p.connection = nullptr;
  });
  return {
    [=](infer_atom, infer_request& req) -> caf::result<infer_result> {
      auto& st = self->state;
      auto& p = st.placement;
      if (st.in_flight >= p.spec.max_queue)
        return make_error(errc::overloaded,
                          p.spec.name + " has " + std::to_string(st.in_flight)
                            + " requests waiting (max_queue "
                            + std::to_string(p.spec.max_queue) + "); retry later");
      uint64_t input_bytes = 0;
      for (auto& t : req.inputs)
        input_bytes += t.data.size();
      for (auto& r : req.raw)
        input_bytes += r.data.size();
      req.timeout_ms = request_deadline_ms(p.deadlines, p.spec.family,
                                           input_bytes, req.timeout_ms);
      waiter who{self->make_response_promise<infer_result>(), clock_type::now()};
      st.in_flight++;
      st.last_activity = who.arrived;
      auto rp = who.promise;
      if (p.spec.batching.max_batch_size > 1 && p.connection) {
        st.gathering.push_back({std::move(req), std::move(who)});
        if (st.gathering.size() >= p.spec.batching.max_batch_size)
          flush_batch(self);
        else if (st.gathering.size() == 1)
          self->delayed_send(self, ms{p.spec.batching.max_delay_ms},
                             flush_atom::value, st.batch_number);
        return rp;
      }
      dispatch(self, std::move(req), {std::move(who)});
      return rp;
    },
    [=](flush_atom, uint64_t number) {
      if (number == self->state.batch_number)
        flush_batch(self);
    },
    [=](drain_atom, const std::string& why, bool move_now) {
      auto& st = self->state;
      spdlog::info("{}: its {} browser retires ({}); {}",
                   st.placement.spec.name, st.placement.browser.browser, why,
                   move_now ? "moving now" : "reloading on the next request");
      if (!move_now)
        unbind(self);
      else if (st.placement.connection)
        bind(self); // Unbound instances load again on their next request.
    },
    [=](check_atom) {
      auto& st = self->state;
      auto& p = st.placement;
      auto idle
        = std::chrono::duration_cast<ms>(clock_type::now() - st.last_activity);
      if (!p.connection || st.binding || st.in_flight > 0
          || p.idle_unload_ms == 0 || idle.count() < p.idle_unload_ms)
        return;
      spdlog::info("{} was idle for {} ms; releasing its {} browser until the "
                   "next request",
                   p.spec.name, idle.count(), p.browser.browser);
      unbind(self);
      if (p.router)
        caf::anon_send(p.router, evicted_atom::value);
    },
    [=](shutdown_atom) -> bool {
      auto err = make_error(errc::shutting_down, "model was shut down");
      auto gathering = std::move(self->state.gathering);
      self->state.gathering.clear();
      for (auto& e : gathering) {
        e.who.promise.deliver(err);
        answered(self);
      }
      unbind(self);
      flush_queue(self, err);
      self->quit();
      return true;
    },
  };
}

} // namespace

model_actor spawn_model(caf::actor_system& sys, model_placement placement) {
  return sys.spawn(model, std::move(placement));
}

} // namespace webaccel
