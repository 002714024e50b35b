// One attempt to put a model on a browser of a kind: ask the pool for a
// connection (warm, idle, new or least loaded), wait for its page, and load
// the model on a platform. Model instances (moving to another browser) and
// the recovery supervisor (trying a strategy) both use it.
#pragma once

#include <chrono>
#include <string>

#include <caf/all.hpp>

#include "config/timeout_policy.hpp"
#include "messages/interfaces.hpp"

namespace webaccel {

/// Where a model landed.
struct placed {
  browser_connection_actor connection;
  browser_capabilities browser;
  loaded_model loaded;
};

/// Loads `spec` on `platform` in a browser of `kind` and calls
/// `done(caf::expected<placed>)`: on `prefer` if set and still alive (a
/// strategy that keeps the browser), else on one the pool hands out. A
/// connection that died before it answered (the pool had not noticed yet)
/// is replaced by asking the pool again, naming the dead one.
template <class Self, class Done>
void attempt_placement(Self* self, pool_supervisor_actor pool, model_spec spec,
                       std::string kind, std::string platform,
                       const timeout_policy& t, Done done,
                       browser_connection_actor prefer = {},
                       uint32_t tries_left = 10, uint64_t gone_connection = 0) {
  using ms = std::chrono::milliseconds;
  // Extra time for requests whose callee enforces its own deadline.
  constexpr uint32_t slack_ms = 5000;
  auto fail = [=](caf::error err) {
    if (err.category() != caf::atom("webaccel"))
      err = make_error(errc::connection, "cannot reach a " + kind + " browser: "
                                           + caf::to_string(err));
    done(caf::expected<placed>{std::move(err)});
  };
  auto load_on = [=](browser_connection_actor conn) {
    auto again_or_fail = [=](caf::error err) {
      if (err == caf::sec::request_receiver_down && tries_left > 0)
        attempt_placement(self, pool, spec, kind, platform, t, done,
                          browser_connection_actor{}, tries_left - 1,
                          conn.id());
      else
        fail(std::move(err));
    };
    self->request(conn, ms{slack_ms}, ready_atom::value)
      .then(
        [=](browser_capabilities& caps) {
          self
            ->request(conn, ms{t.load_ms + slack_ms}, load_atom::value, spec,
                      platform)
            .then(
              [=](loaded_model& loaded) {
                done(
                  caf::expected<placed>{placed{conn, caps, std::move(loaded)}});
              },
              again_or_fail);
        },
        again_or_fail);
  };
  if (prefer) {
    load_on(prefer);
    return;
  }
  placement_hint hint;
  hint.model_key = spec.page_key(platform);
  hint.model_bytes = spec.total_bytes();
  hint.gone_connection = gone_connection;
  self
    ->request(pool, ms{t.launch_ms + slack_ms}, connect_atom::value, kind, hint)
    .then([=](browser_connection_actor& conn) { load_on(conn); }, fail);
}

} // namespace webaccel
