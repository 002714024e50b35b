#include "actors/model.hpp"

#include <chrono>
#include <vector>

#include <caf/all.hpp>

#include "actors/placement_attempt.hpp"
#include "actors/rules/idle_release.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;
using ms = std::chrono::milliseconds;

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
  std::vector<waiter> waiters;
  /// Times it was sent again after a failure.
  uint32_t redispatches = 0;
};

/// A request at a page: where it went and what it ran with.
struct sent_request {
  caf::actor_addr connection;
  provenance origin;
  page_request request;
  bool resent = false;
};

/// A request waiting for others to join its batch.
struct batch_entry {
  infer_request req;
  waiter who;
};

/// Where the instance stands in a recovery: none under way; waiting for
/// the recovery supervisor's next step (requests park); or running on that
/// step's placement until its first answer tells how it went.
enum class recovery_phase { none, asking, probing };

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
  /// Requests at a page, by number. The connection enforces their
  /// deadlines; if it dies instead, the down handler answers them.
  std::map<uint64_t, sent_request> at_page;
  uint64_t next_sent = 0;
  /// Requests not answered yet (queued or at the page).
  uint32_t in_flight = 0;
  /// When to release the browser for idleness (one check pending at most).
  idle_release idle{ms{0}};
  recovery_phase recovery = recovery_phase::none;
  /// The recovery supervisor's case while one is open.
  uint64_t case_id = 0;
  /// Shut down: failures go to the host, nothing moves any more.
  bool stopping = false;
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

/// A request arrived or was answered: arm the idle check if it is due.
void note_activity(self_ptr self) {
  auto& st = self->state;
  if (auto in = st.idle.on_activity(self->clock().now(), st.in_flight))
    self->delayed_send(self, *in, check_atom::value);
}

/// A request was answered: note the time, and look for idleness later.
void answered(self_ptr self) {
  auto& st = self->state;
  st.in_flight--;
  note_activity(self);
}

/// Answers every waiter of `r` with `err`.
void fail(self_ptr self, page_request& r, const caf::error& err) {
  for (auto& w : r.waiters) {
    w.promise.deliver(err);
    answered(self);
  }
}

/// Answers the waiters of a request the page ran.
void deliver(self_ptr self, sent_request& sent, page_result& res) {
  auto& st = self->state;
  auto& r = sent.request;
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
  if (st.recovery == recovery_phase::probing && st.placement.connection
      && sent.connection == st.placement.connection.address()) {
    // The first answer from where the recovery moved us: it worked.
    caf::anon_send(st.placement.pool, recovered_atom::value, st.case_id, true);
    st.recovery = recovery_phase::none;
    st.case_id = 0;
  }
  auto now = self->clock().now();
  for (size_t i = 0; i < n; ++i) {
    infer_result out;
    out.model = st.placement.spec.name;
    out.batch_size = static_cast<uint32_t>(n);
    out.family = st.placement.spec.family;
    out.synthetic_weights = st.placement.spec.synthetic_weights;
    out.origin = sent.origin;
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
}

void send(self_ptr self, page_request r, bool resent = false);
void flush_batch(self_ptr self);

/// Whether the page has no batch of ours and half a batch is gathered. A
/// batch closes early then: waiting for a full one would leave the page
/// idle, and with the next batch gathering while this one runs the page
/// always has one waiting. (With as many clients as the maximum batch, full
/// batches alone would take turns with idle round trips.)
bool page_idle_with_half_a_batch(const model_state& st) {
  auto max = st.placement.spec.batching.max_batch_size;
  return max > 1 && st.at_page.empty() && !st.gathering.empty()
         && st.gathering.size() >= (max + 1) / 2;
}

void on_failure(self_ptr self, sent_request sent, caf::error err);

/// A request failed at the connection: send it again where that cannot
/// double an answer (or recover), else fail its waiters.
void on_send_error(self_ptr self, sent_request sent, caf::error err) {
  auto& st = self->state;
  auto target = sent.connection;
  // The browser was gone before the request reached it: it never saw it,
  // so sending it again cannot double an answer.
  if (err == caf::sec::request_receiver_down && !sent.resent) {
    if (st.placement.connection
        && st.placement.connection.address() == target) {
      self->demonitor(target);
      st.placement.connection = nullptr;
    }
    if (st.placement.connection && st.recovery != recovery_phase::asking) {
      send(self, std::move(sent.request), true);
    } else {
      st.queued.push_back(std::move(sent.request));
      bind(self);
    }
    return;
  }
  on_failure(self, std::move(sent), std::move(err));
}

/// Sends a request to the page on the current browser and answers its
/// waiters with the result.
void send(self_ptr self, page_request r, bool resent) {
  auto& st = self->state;
  auto target = caf::actor_cast<caf::actor>(st.placement.connection);
  // A recovery may have moved the model to another platform or variant:
  // its page session has another key.
  auto& key = st.placement.loaded.key;
  if (r.msg.get_as<std::string>(1) != key)
    r.msg = caf::make_message(infer_atom::value, key,
                              r.msg.get_as<infer_request>(2));
  auto number = ++st.next_sent;
  auto msg = r.msg;
  st.at_page.emplace(number, sent_request{target.address(), st.origin,
                                          std::move(r), resent});
  // No timeout here: the connection enforces the request's deadline, and the
  // down handler answers for a connection that dies. (Each timeout would
  // cost two wake-ups of CAF's clock thread per request.) Sent untyped so
  // that the message can be sent again as it is.
  auto take = [self, number]() -> std::optional<sent_request> {
    auto& at_page = self->state.at_page;
    auto i = at_page.find(number);
    if (i == at_page.end())
      return std::nullopt; // Answered by the down handler.
    auto out = std::move(i->second);
    at_page.erase(i);
    return out;
  };
  self->request(target, caf::infinite, std::move(msg))
    .then(
      [=](page_result& res) {
        if (auto sent = take())
          deliver(self, *sent, res);
        if (page_idle_with_half_a_batch(self->state))
          flush_batch(self);
      },
      [=](caf::error& err) {
        if (auto sent = take())
          on_send_error(self, std::move(*sent), std::move(err));
      });
}

/// Builds the page request for `req` (one request or a merged batch) and
/// sends it, or queues it while the instance has no browser.
void dispatch(self_ptr self, infer_request req, std::vector<waiter> waiters) {
  auto& st = self->state;
  auto& p = st.placement;
  page_request r{caf::make_message(infer_atom::value, p.loaded.key,
                                   std::move(req)),
                 std::move(waiters)};
  if (p.connection && st.recovery != recovery_phase::asking) {
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

/// Recovers the requests at the page of `connection`, which is gone.
void fail_at_page(self_ptr self, const caf::actor_addr& connection,
                  const caf::error& reason) {
  auto& at_page = self->state.at_page;
  std::vector<sent_request> lost;
  for (auto i = at_page.begin(); i != at_page.end();) {
    if (i->second.connection == connection) {
      lost.push_back(std::move(i->second));
      i = at_page.erase(i);
    } else {
      ++i;
    }
  }
  if (lost.empty())
    return;
  auto err = reason.category() == caf::atom("webaccel")
               ? reason
               : make_error(errc::connection, "browser connection failed: "
                                                + caf::to_string(reason));
  for (auto& sent : lost)
    on_failure(self, std::move(sent), err);
}

bool has_at_page(const model_state& st, const caf::actor_addr& connection) {
  for (auto& [number, sent] : st.at_page)
    if (sent.connection == connection)
      return true;
  return false;
}

/// Leaves the current browser (if any) and forgets it.
void unbind(self_ptr self) {
  auto& p = self->state.placement;
  if (!p.connection)
    return;
  // Still watched while requests are at its page, so that they are answered
  // even if it dies before answering them.
  if (!has_at_page(self->state, p.connection.address()))
    self->demonitor(p.connection.address());
  caf::anon_send(p.connection, detach_atom::value, p.loaded.key,
                 as_handle(self));
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

/// Sends the queued requests on the current browser, or binds to one.
void resume(self_ptr self) {
  if (self->state.placement.connection)
    flush_queue(self, {});
  else
    bind(self);
}

/// Switches to a connection that loaded the model.
void switch_to(self_ptr self, browser_connection_actor conn,
               browser_capabilities caps, loaded_model loaded) {
  auto& p = self->state.placement;
  // (Staying on the same browser with the same session, as after a retry,
  // must not detach: the page would unload the session.)
  auto stays = p.connection == conn && p.loaded.key == loaded.key;
  if (!stays)
    unbind(self);
  p.connection = conn;
  p.browser = std::move(caps);
  p.loaded = std::move(loaded);
  self->state.origin = make_provenance(p);
  if (!stays) {
    self->monitor(conn);
    caf::anon_send(conn, attach_atom::value, p.loaded.key, as_handle(self));
  }
  self->state.binding = false;
  logger()->info("{} now runs on {} {}", p.spec.name, p.browser.browser,
                 p.browser.browser_version);
  flush_queue(self, {});
}

placement_target current_target(const model_placement& p) {
  return {p.browser.browser, p.loaded.platform, p.spec.variant.precision,
          p.spec.variant.mixed_precision};
}

errc category_of(const caf::error& err) {
  return err.category() == caf::atom("webaccel") ? static_cast<errc>(err.code())
                                                 : errc::connection;
}

/// Answers every parked request once recovery gave up: with a labelled
/// simulated result where the host allowed one, else with the typed error.
void recovery_failed(self_ptr self, const caf::error& err) {
  auto& st = self->state;
  st.recovery = recovery_phase::none;
  st.case_id = 0;
  auto& p = st.placement;
  if (!p.request.preferences.fallback_to_simulation) {
    flush_queue(self, err);
    return;
  }
  auto queued = std::move(st.queued);
  st.queued.clear();
  for (auto& q : queued)
    for (auto& w : q.waiters) {
      // No numbers are made up: a simulated result says what failed and
      // carries no outputs.
      infer_result out;
      out.model = p.spec.name;
      out.family = p.spec.family;
      out.synthetic_weights = p.spec.synthetic_weights;
      out.simulated = true;
      out.origin.placement = "simulated: " + render_error(err);
      w.promise.deliver(std::move(out));
      answered(self);
    }
}

/// Moves to the placement the recovery supervisor found and sends the
/// parked requests there.
void apply_step(self_ptr self, recovery_step& step) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.recovery = recovery_phase::probing;
  st.case_id = step.id;
  st.placement.spec = std::move(step.spec);
  st.placement.why = std::move(step.why);
  st.binding = false;
  switch_to(self, std::move(step.connection), std::move(step.browser),
            std::move(step.loaded));
}

/// Reports a failure (of case `case_id`, 0 = a new one) and parks requests
/// until the recovery supervisor answers.
void ask_recovery(self_ptr self, errc code, const caf::error& err,
                  uint64_t case_id) {
  auto& st = self->state;
  auto& p = st.placement;
  st.recovery = recovery_phase::asking;
  recovery_case report;
  report.id = case_id;
  report.request = p.request;
  report.failed = current_target(p);
  report.connection = p.connection;
  report.browser = p.browser;
  report.category = static_cast<uint8_t>(code);
  report.error = error_text(err.context());
  self
    ->request(p.pool, ms{p.settings->recovery_timeout_ms()},
              recover_atom::value, report)
    .then([=](recovery_step& step) { apply_step(self, step); },
          [=](caf::error& e) {
            if (e.category() != caf::atom("webaccel"))
              e = make_error(code,
                             "recovery did not answer: " + caf::to_string(e));
            recovery_failed(self, e);
          });
}

/// A request failed (at the page, or its browser died): park it for
/// recovery where its category has a strategy chain, else fail it.
void on_failure(self_ptr self, sent_request sent, caf::error err) {
  auto& st = self->state;
  auto& p = st.placement;
  auto code = category_of(err);
  // A retired browser's drain ran out: not a failure of the model.
  if (code == errc::shutting_down && !st.stopping) {
    st.queued.push_back(std::move(sent.request));
    if (st.recovery != recovery_phase::asking)
      resume(self);
    return;
  }
  if (!is_recoverable_category(code) || !p.settings->recover || st.stopping) {
    fail(self, sent.request, err);
    return;
  }
  auto max_redispatches = p.settings->recovery_limits.max_redispatches;
  if (++sent.request.redispatches > max_redispatches) {
    fail(self, sent.request,
         make_error(code,
                    "gave up after " + std::to_string(max_redispatches)
                      + " re-dispatches; last: " + error_text(err.context())));
    return;
  }
  st.queued.push_back(std::move(sent.request));
  auto from_current = p.connection && sent.connection == p.connection.address();
  switch (st.recovery) {
    case recovery_phase::asking:
      return; // The recovery under way sends it on.
    case recovery_phase::probing:
      if (from_current)
        ask_recovery(self, code, err, st.case_id); // The step failed too.
      else
        resume(self); // Left over from before the step.
      return;
    case recovery_phase::none:
      if (!from_current && p.connection)
        resume(self); // From a browser the model already left.
      else
        ask_recovery(self, code, err, 0);
      return;
  }
}

/// Loads the model into another ready browser of the same kind, keeping
/// the current one (if any) until that worked.
void bind(self_ptr self) {
  auto& st = self->state;
  if (st.binding || st.recovery == recovery_phase::asking)
    return;
  st.binding = true;
  auto& p = st.placement;
  auto kind = p.browser.browser;
  auto spec = p.spec;
  attempt_timeouts timeouts{p.settings->launch_timeout_ms,
                            p.settings->load_timeout_ms};
  attempt_placement(
    self, p.pool, spec, kind, p.loaded.platform, timeouts,
    [=](caf::expected<placed> r) {
      auto& now = self->state;
      now.binding = false;
      if (r) {
        switch_to(self, r->connection, std::move(r->browser),
                  std::move(r->loaded));
        return;
      }
      auto err = r.error();
      logger()->warn("{} could not move to another {} browser: {}", spec.name,
                     kind, render_error(err));
      if (is_recoverable_category(category_of(err))
          && now.placement.settings->recover && !now.stopping
          && !now.queued.empty()) {
        ask_recovery(self, category_of(err), err, 0);
        return;
      }
      flush_queue(self, err);
      // Still on a retiring browser: try again while it drains.
      if (now.placement.connection)
        self->delayed_send(self, std::chrono::seconds{1}, drain_atom::value,
                           std::string{"retrying the move"}, true);
    });
}

model_actor::behavior_type model(self_ptr self, model_placement placement) {
  self->state.origin = make_provenance(placement);
  self->state.placement = std::move(placement);
  auto& first = self->state.placement;
  self->monitor(first.connection);
  caf::anon_send(first.connection, attach_atom::value, first.loaded.key,
                 as_handle(self));
  self->state.idle = idle_release{ms{first.settings->idle_unload_ms}};
  note_activity(self);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& p = self->state.placement;
    // A connection fails its requests before it quits; these are the ones
    // it could not (it died of an exception).
    fail_at_page(self, msg.source, msg.reason);
    if (msg.source != p.connection.address())
      return;
    // The next request loads the model into a browser again.
    logger()->info("{} lost its {} browser: {}", p.spec.name, p.browser.browser,
                   render_error(msg.reason));
    p.connection = nullptr;
  });
  return {
    [=](infer_atom, infer_request& req) -> caf::result<infer_result> {
      auto& st = self->state;
      auto& p = st.placement;
      if (st.in_flight >= p.spec.max_queue)
        return make_error(errc::overloaded, p.spec.name + " has "
                                              + std::to_string(st.in_flight)
                                              + " requests waiting (max_queue "
                                              + std::to_string(p.spec.max_queue)
                                              + "); retry later");
      uint64_t input_bytes = 0;
      for (auto& t : req.inputs)
        input_bytes += t.data.size();
      for (auto& r : req.raw)
        input_bytes += r.data.size();
      req.timeout_ms = request_deadline_ms(p.settings->deadlines, p.spec.family,
                                           input_bytes, req.timeout_ms);
      waiter who{self->make_response_promise<infer_result>(),
                 self->clock().now()};
      st.in_flight++;
      st.idle.on_activity(self->clock().now(), st.in_flight);
      auto rp = who.promise;
      if (p.spec.batching.max_batch_size > 1 && p.connection) {
        st.gathering.push_back({std::move(req), std::move(who)});
        if (st.gathering.size() >= p.spec.batching.max_batch_size
            || page_idle_with_half_a_batch(st))
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
      logger()->info("{}: its {} browser retires ({}); {}",
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
      auto now = self->clock().now();
      auto idle_ms = st.idle.idle_for(now).count();
      auto v = st.idle.on_check(now, st.in_flight, p.connection && !st.binding);
      if (v.again)
        self->delayed_send(self, *v.again, check_atom::value);
      if (!v.release)
        return;
      logger()->info("{} was idle for {} ms; releasing its {} browser until "
                     "the next request",
                     p.spec.name, idle_ms, p.browser.browser);
      unbind(self);
      caf::anon_send(p.pool, evicted_atom::value);
    },
    [=](shutdown_atom) -> bool {
      auto& st = self->state;
      st.stopping = true;
      if (st.recovery != recovery_phase::none && st.case_id != 0)
        caf::anon_send(st.placement.pool, recovered_atom::value, st.case_id,
                       false);
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
