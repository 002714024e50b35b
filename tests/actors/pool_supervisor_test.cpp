#include "actors/pool_supervisor.hpp"

#include <doctest/doctest.h>

#include "tests/support/tree_fixture.hpp"

using namespace webaccel;
using namespace webaccel::test;

TEST_CASE_FIXTURE(tree_fixture, "the root starts a killed router again, and "
                                "the host's model handles keep working") {
  auto model = placed_model();
  auto loads = channel->texts.size();
  REQUIRE(kill_child("router"));
  // The handle the host holds still runs inferences...
  CHECK(infer_answered(model).outputs.size() == 1);
  // ...and the new router knows the instance: a hit, no new browser, no
  // new load.
  CHECK(get_model(vad_request()) == model);
  CHECK(launcher.urls->size() == 1);
  CHECK(channel->texts.size() == loads);
  auto s = stats();
  CHECK(s.router_restarts == 1);
  CHECK(s.models.hits == 1);
  CHECK(s.models.instances == 1);
}

TEST_CASE_FIXTURE(tree_fixture, "a killed recovery supervisor is started "
                                "again, and placements still recover") {
  REQUIRE(kill_child("recovery"));
  // The first platform (webnn) is missing: the placement recovers through
  // the new recovery supervisor onto wasm.
  auto model = placed_model();
  REQUIRE(model);
  CHECK(infer_answered(model).origin.platform == "wasm");
  auto s = stats();
  CHECK(s.recovery_restarts == 1);
  CHECK(s.recovery.recovered == 1);
}

TEST_CASE_FIXTURE(tree_fixture, "past MaxR restarts in MaxT the root stops "
                                "the runtime instead of looping") {
  // The default intensity: 5 restarts within 60 s.
  for (int i = 0; i < 5; ++i)
    REQUIRE(kill_child("router"));
  CHECK(stats().router_restarts == 5);
  REQUIRE(kill_child("router"));
  // The sixth failure within the window: everything stops.
  auto h = self->request(pool, caf::infinite, get_atom::value, vad_request());
  bool failed = false;
  receive(
    h, [&](model_actor&) {}, [&](caf::error&) { failed = true; });
  CHECK(failed);
}

TEST_CASE_FIXTURE(tree_fixture, "restarts spread over more than MaxT do not "
                                "add up") {
  for (int i = 0; i < 8; ++i) {
    REQUIRE(kill_child("router"));
    sched.clock().current_time += std::chrono::seconds{20};
  }
  CHECK(stats().router_restarts == 8);
  CHECK(placed_model());
}
