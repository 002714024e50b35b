#include "actors/model.hpp"

#include <chrono>

#include <caf/all.hpp>

namespace webaccel {

namespace {

using clock_type = std::chrono::steady_clock;

struct model_state {
  static inline const char* name = "model";
  model_placement placement;
  /// Provenance shared by every result of this instance.
  provenance origin;
};

using self_ptr = model_actor::stateful_pointer<model_state>;

provenance make_provenance(const model_placement& p) {
  provenance out;
  out.browser = p.browser.browser;
  out.browser_version = p.browser.browser_version;
  out.platform = p.loaded.platform;
  if (out.platform == "webgpu")
    out.adapter = p.browser.adapter;
  out.precision = p.spec.precision;
  out.execution_provider = p.loaded.execution_provider;
  return out;
}

model_actor::behavior_type model(self_ptr self, model_placement placement) {
  self->state.origin = make_provenance(placement);
  self->state.placement = std::move(placement);
  self->monitor(self->state.placement.connection);
  self->set_down_handler(
    [=](const caf::down_msg& msg) { self->quit(msg.reason); });
  return {
    [=](infer_atom, infer_request& req) -> caf::result<infer_result> {
      auto arrived = clock_type::now();
      auto& p = self->state.placement;
      auto rp = self->make_response_promise<infer_result>();
      auto deadline = req.timeout_ms != 0 ? req.timeout_ms : p.infer_timeout_ms;
      // The connection enforces the deadline; this one only guards against
      // a connection that never answers at all.
      self
        ->request(p.connection, std::chrono::milliseconds{deadline + 5000},
                  infer_atom::value, p.loaded.key, std::move(req))
        .then(
          [=](page_result& res) mutable {
            auto& st = self->state;
            infer_result out;
            out.model = st.placement.spec.name;
            out.family = st.placement.spec.family;
            out.synthetic_weights = st.placement.spec.synthetic_weights;
            out.origin = st.origin;
            out.time.total
              = std::chrono::duration<double, std::milli>(clock_type::now() - arrived)
                  .count();
            out.time.compute = res.compute_ms;
            out.time.transfer = std::max(0.0, res.round_trip_ms - res.page_ms);
            out.time.queue = std::max(0.0, out.time.total - res.round_trip_ms);
            out.outputs = std::move(res.outputs);
            rp.deliver(std::move(out));
          },
          [=](caf::error& err) mutable {
            if (err.category() != caf::atom("webaccel"))
              err = make_error(errc::connection, "browser connection "
                                                 "unreachable: "
                                                   + caf::to_string(err));
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](shutdown_atom) -> bool {
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
