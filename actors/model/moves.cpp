// A model instance moving between browsers: when its browser retires, it
// loads itself into another of the same kind and switches over; when its
// browser is gone it binds again on the next request.
#include "actors/model/state.hpp"

#include "actors/placement_attempt.hpp"
#include "config/logging.hpp"

namespace webaccel::model_detail {

provenance make_provenance(const model_placement& p) {
  provenance out;
  out.node = p.browser.node;
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

void resume(self_ptr self) {
  if (self->state.placement.connection)
    flush_queue(self, {});
  else
    bind(self);
}

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

void bind(self_ptr self) {
  auto& st = self->state;
  if (st.binding || st.recovery == recovery_phase::asking)
    return;
  st.binding = true;
  auto& p = st.placement;
  auto kind = p.browser.browser;
  auto spec = p.spec;
  attempt_placement(
    self, p.pool, spec, kind, p.loaded.platform, p.settings->timeouts,
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

} // namespace webaccel::model_detail
