// A model instance in a recovery: failed requests park, the recovery
// supervisor (through the root) says where to run next, the instance moves
// there and sends them again; each request is answered once.
#include "actors/model/state.hpp"

#include "config/logging.hpp"

namespace webaccel::model_detail {

namespace {

placement_target current_target(const model_placement& p) {
  return {p.browser.browser, p.loaded.platform, p.spec.variant.precision,
          p.spec.variant.mixed_precision};
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
      record_answer(self, out, true);
      w.promise.deliver(std::move(out));
      answered(self);
    }
}

} // namespace

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

void ask_recovery(self_ptr self, errc code, const caf::error& err,
                  uint64_t case_id) {
  auto& st = self->state;
  auto& p = st.placement;
  st.recovery = recovery_phase::asking;
  recovery_case report;
  report.id = case_id;
  report.request = p.request;
  report.failed = current_target(p);
  if (!p.connection || p.connection.address() != st.gone)
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

} // namespace webaccel::model_detail
