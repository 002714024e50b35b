// The model instance's behavior: each handler decodes its message and
// hands it to the steps in actors/model/ and the rules they apply.
#include "actors/model.hpp"

#include "actors/model/state.hpp"
#include "actors/rules/deadlines.hpp"
#include "config/logging.hpp"

namespace webaccel {

namespace {

using namespace model_detail;

model_actor::behavior_type model(self_ptr self, model_placement placement) {
  self->state.origin = make_provenance(placement);
  self->state.placement = std::move(placement);
  auto& first = self->state.placement;
  self->state.gathering
    = batch_gatherer<waiter>{first.spec.batching.max_batch_size};
  self->monitor(first.connection);
  caf::anon_send(first.connection, attach_atom::value, first.loaded.key,
                 as_handle(self));
  self->state.idle = idle_release{ms{first.settings->idle_unload_ms}};
  note_activity(self);
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& p = self->state.placement;
    // A recovery must not wait on it: a node's connection lost with its
    // link takes requests without ever answering them.
    self->state.gone = msg.source;
    // A connection fails its requests before it quits; these are the ones
    // it could not (it died of an exception, or its node was lost).
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
      req.timeout_ms = request_deadline_ms(p.settings->timeouts, p.spec.family,
                                           input_bytes, req.timeout_ms);
      waiter who{self->make_response_promise<infer_result>(),
                 self->clock().now()};
      st.in_flight++;
      st.idle.on_activity(self->clock().now(), st.in_flight);
      auto rp = who.promise;
      if (st.gathering.batching() && p.connection) {
        auto v = st.gathering.add(std::move(req), std::move(who),
                                  st.at_page.empty());
        if (v.close)
          flush_batch(self);
        else if (v.arm)
          self->delayed_send(self, ms{p.spec.batching.max_delay_ms},
                             flush_atom::value, *v.arm);
        return rp;
      }
      dispatch(self, page_infer_request::of(std::move(req)), {std::move(who)});
      return rp;
    },
    [=](flush_atom, uint64_t number) {
      if (self->state.gathering.is_current(number))
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
      for (auto& who : st.gathering.take_waiters()) {
        who.promise.deliver(err);
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
