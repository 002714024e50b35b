#include "actors/model.hpp"

#include <doctest/doctest.h>

#include "tests/support/tree_fixture.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

/// The tree with models that release their browser after 10 s idle.
struct idle_fixture : tree_fixture {
  idle_fixture()
    : tree_fixture([](pool_config& cfg) {
        cfg.router.idle_unload_ms = 10000;
        // No heartbeats or pool checks: only the model's timers.
        cfg.policy.heartbeat_ms = 3600000;
      }) {
    // nop
  }

  size_t unloads() const {
    size_t n = 0;
    for (auto& t : channel->texts)
      n += t.find("\"type\":\"unload\"") != std::string::npos ? 1 : 0;
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(idle_fixture, "a model answering many requests keeps one "
                                "idle check pending, not one per answer") {
  auto model = placed_model();
  infer_answered(model);
  auto after_one = pending_timers();
  for (int i = 0; i < 200; ++i)
    infer_answered(model);
  CHECK(pending_timers() == after_one);
}

TEST_CASE_FIXTURE(idle_fixture, "a model idle for idle_unload_ms releases "
                                "its browser, and loads again when asked") {
  auto model = placed_model();
  infer_answered(model);
  // Busy again after 6 s: the check at 10 s finds it idle for 4 s only.
  advance(6000ms);
  infer_answered(model);
  advance(4000ms);
  CHECK(unloads() == 0);
  // 10 s after the last answer it lets go.
  advance(6000ms);
  CHECK(unloads() == 1);
  CHECK(stats().models.evictions == 1);
  // The next request loads it into a browser again (a new one here: with
  // no pool check in this test, the old one still counts the model).
  auto req = infer_request::of({tensor::from_floats("input", {1}, {1.0f})});
  auto r = self->request(model, caf::infinite, infer_atom::value, req);
  run();
  if (launcher.urls->size() == 2)
    page_connects();
  page_loads();
  page_answers_last();
  bool answered = false;
  receive(
    r, [&](infer_result&) { answered = true; },
    [&](caf::error& e) { FAIL(render_error(e)); });
  CHECK(answered);
}
