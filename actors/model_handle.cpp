// The model handle: what a host holds of a model instance. Its calls send
// to the instance and wait (infer) or call back (infer_async).
#include "actors/runtime_impl.hpp"

namespace webaccel {

failure to_failure(const caf::error& err) {
  if (err.category() == caf::atom("webaccel"))
    return failure{static_cast<errc>(err.code()), error_text(err.context())};
  if (err == caf::sec::request_timeout)
    return failure{errc::timeout, "the runtime did not answer in time"};
  if (err == caf::sec::request_receiver_down)
    return failure{errc::invalid_request, "the model instance was unloaded "
                                          "(get it again with get_model)"};
  return failure{errc::connection, caf::to_string(err)};
}

model_handle::model_handle(std::shared_ptr<impl> ptr) : impl_(std::move(ptr)) {
  // nop
}

const std::string& model_handle::name() const {
  return impl_->name;
}

infer_result model_handle::infer(std::vector<tensor> inputs,
                                 uint32_t timeout_ms) const {
  return infer(infer_request::of(std::move(inputs), timeout_ms));
}

infer_result model_handle::infer(infer_request req) const {
  auto& rt = *impl_->rt;
  if (!rt.running)
    throw failure{errc::shutting_down, "the runtime was shut down"};
  // No timeout of our own: the instance enforces each request's deadline
  // and the recovery's bound, and a CAF request timeout would leave one
  // entry per request in the actor clock until it expires (minutes). The
  // monitor answers for an instance that dies without answering.
  caf::scoped_actor self{rt.sys};
  self->monitor(impl_->actor);
  self->send(impl_->actor, infer_atom::value, std::move(req));
  std::optional<infer_result> out;
  caf::error err;
  self->receive([&](infer_result& res) { out = std::move(res); },
                [&](caf::error& e) { err = std::move(e); },
                [&](caf::down_msg& down) {
                  err = make_error(errc::connection,
                                   "the model instance ended: "
                                     + render_error(down.reason));
                });
  // A monitor lives on the monitored actor until removed: one per call
  // would pile up on the instance.
  self->demonitor(impl_->actor.address());
  if (!out)
    throw to_failure(err);
  return std::move(*out);
}

void model_handle::infer_async(std::vector<tensor> inputs, infer_callback done,
                               uint32_t timeout_ms) const {
  infer_async(infer_request::of(std::move(inputs), timeout_ms),
              std::move(done));
}

void model_handle::infer_async(infer_request req, infer_callback done) const {
  auto& rt = *impl_->rt;
  if (!rt.running) {
    failure f{errc::shutting_down, "the runtime was shut down"};
    done(nullptr, &f);
    return;
  }
  // As infer(): no request timeout, a monitor for an instance that dies.
  rt.sys.spawn([actor = impl_->actor, done = std::move(done),
                req = std::move(req)](caf::event_based_actor* self) mutable {
    self->monitor(actor);
    self->set_down_handler([self, done](const caf::down_msg& down) {
      auto f = to_failure(
        make_error(errc::connection,
                   "the model instance ended: " + render_error(down.reason)));
      done(nullptr, &f);
      self->quit();
    });
    self->request(actor, caf::infinite, infer_atom::value, std::move(req))
      .then(
        [self, actor, done](infer_result& res) {
          self->demonitor(actor.address());
          done(&res, nullptr);
          self->quit();
        },
        [self, actor, done](caf::error& err) {
          self->demonitor(actor.address());
          auto f = to_failure(err);
          done(nullptr, &f);
          self->quit();
        });
  });
}

} // namespace webaccel
