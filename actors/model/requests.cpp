// A model instance's requests: to the page (alone or as a batch), back to
// their hosts, and what happens when their browser goes.
#include "actors/model/state.hpp"

namespace webaccel::model_detail {

void note_activity(self_ptr self) {
  auto& st = self->state;
  if (auto in = st.idle.on_activity(self->clock().now(), st.in_flight))
    self->delayed_send(self, *in, check_atom::value);
}

void answered(self_ptr self) {
  auto& st = self->state;
  st.in_flight--;
  note_activity(self);
}

void record_failure(self_ptr self, const caf::error& err) {
  auto& p = self->state.placement;
  if (!p.settings->metrics)
    return;
  inference_event e;
  e.at = wall_clock_s();
  e.model = p.spec.name;
  e.browser = p.browser.browser;
  e.platform = p.loaded.platform;
  e.ok = false;
  e.category = to_string(category_of(err));
  p.settings->metrics->push(std::move(e));
}

void fail(self_ptr self, outgoing& r, const caf::error& err) {
  for (auto& w : r.waiters) {
    record_failure(self, err);
    w.promise.deliver(err);
    answered(self);
  }
}

void record_answer(self_ptr self, const infer_result& out, bool first) {
  auto& sink = self->state.placement.settings->metrics;
  if (!sink)
    return;
  inference_event e;
  e.at = wall_clock_s();
  e.model = out.model;
  e.browser = out.origin.browser;
  e.platform = out.origin.platform;
  e.batch_size = out.batch_size;
  e.first_of_batch = first;
  e.simulated = out.simulated;
  e.total_ms = out.time.total;
  e.queue_ms = out.time.queue;
  e.transfer_ms = out.time.transfer;
  e.compute_ms = out.time.compute;
  sink->push(std::move(e));
}

namespace {

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
    record_answer(self, out, i == 0);
    r.waiters[i].promise.deliver(std::move(out));
    answered(self);
  }
}

} // namespace

void send(self_ptr self, outgoing r, bool resent) {
  auto& st = self->state;
  auto target = caf::actor_cast<caf::actor>(st.placement.connection);
  // A recovery may have moved the model to another platform or variant:
  // its page session has another key.
  auto& key = st.placement.loaded.key;
  if (r.msg.get_as<std::string>(1) != key)
    r.msg = caf::make_message(infer_atom::value, key,
                              r.msg.get_as<page_infer_request>(2));
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
        auto& now = self->state;
        if (now.gathering.should_close_early(now.at_page.empty()))
          flush_batch(self);
      },
      [=](caf::error& err) {
        if (auto sent = take())
          on_send_error(self, std::move(*sent), std::move(err));
      });
}

void dispatch(self_ptr self, page_infer_request req,
              std::vector<waiter> waiters) {
  auto& st = self->state;
  auto& p = st.placement;
  outgoing r{caf::make_message(infer_atom::value, p.loaded.key, std::move(req)),
             std::move(waiters)};
  if (p.connection && st.recovery != recovery_phase::asking) {
    send(self, std::move(r));
  } else {
    st.queued.push_back(std::move(r));
    bind(self);
  }
}

void flush_batch(self_ptr self) {
  if (auto b = self->state.gathering.close())
    dispatch(self, std::move(b->request), std::move(b->waiters));
}

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

} // namespace webaccel::model_detail
