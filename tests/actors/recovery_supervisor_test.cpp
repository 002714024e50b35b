#include "actors/recovery_supervisor.hpp"

#include <doctest/doctest.h>

#include "tests/support/tree_fixture.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

/// The tree with a recovery that gives up after 1.2 s.
struct give_up_fixture : tree_fixture {
  give_up_fixture()
    : tree_fixture([](pool_config& cfg) {
        cfg.recovery.max_wait_ms = 1200;
        cfg.policy.heartbeat_ms = 3600000;
      }) {
    // nop
  }
};

} // namespace

TEST_CASE_FIXTURE(give_up_fixture, "a recovery still under way after "
                                   "max_wait_ms gives up with the typed "
                                   "error, on the actor clock") {
  auto model = placed_model();
  auto req = infer_request::of({tensor::from_floats("input", {1}, {1.0f})}, 50);
  auto h = self->request(model, caf::infinite, infer_atom::value, req);
  run();
  // The page never answers: the 50 ms deadline passes, the timeout chain
  // retries after 1 to 1.25 s, that retry times out too, and by then the
  // case has waited past 1.2 s.
  for (int i = 0; i < 40; ++i)
    advance(100ms);
  caf::error failure;
  receive(
    h, [&](infer_result&) { FAIL("expected the recovery to give up"); },
    [&](caf::error& e) { failure = e; });
  auto text = render_error(failure);
  CAPTURE(text);
  CHECK(text.rfind("timeout: ", 0) == 0);
  CHECK(text.find("gave up after") != std::string::npos);
  auto s = stats();
  CHECK(s.recovery.failures["timeout"] >= 1);
  CHECK(s.recovery.exhausted == 1);
}
