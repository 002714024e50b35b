#include "actors/supervisor/slots.hpp"

#include <doctest/doctest.h>

using namespace webaccel;
using namespace webaccel::supervisor;

namespace {

slot make_slot(phase state, uint32_t load) {
  slot s;
  s.state = state;
  s.load = load;
  return s;
}

} // namespace

TEST_CASE("draining browsers do not count against the kind's size") {
  slot_table t{{1, make_slot(phase::ready, 0)},
               {2, make_slot(phase::draining, 3)},
               {3, make_slot(phase::launching, 0)},
               {4, make_slot(phase::backoff, 0)}};
  CHECK(live_count(t) == 3);
  CHECK(slot_in_backoff(t) == 4);
  CHECK_FALSE(restart_launching(t));
  t[3].restarting = true;
  CHECK(restart_launching(t));
}

TEST_CASE("the least loaded ready browser, and none while none is ready") {
  slot_table t{{1, make_slot(phase::ready, 2)},
               {2, make_slot(phase::ready, 1)},
               {3, make_slot(phase::launching, 0)}};
  REQUIRE(least_loaded(t) != nullptr);
  CHECK(least_loaded(t) == &t[2]);
  slot_table none{{1, make_slot(phase::launching, 0)}};
  CHECK(least_loaded(none) == nullptr);
}

TEST_CASE("no model goes to a browser whose circuit is open") {
  slot_table t{{1, make_slot(phase::ready, 0)},
               {2, make_slot(phase::ready, 0)},
               {3, make_slot(phase::backoff, 0)}};
  t[2].last.breaker = breaker_state::open;
  t[1].last.loaded_models = {"vad/fp32@wasm"};
  t[1].last.process_bytes = 300u << 20;
  auto c = candidates(t, placement_hint{true, "vad/fp32@wasm", 10, 0});
  REQUIRE(c.size() == 1);
  CHECK(c[0].id == 1);
  CHECK(c[0].has_model);
  CHECK(c[0].memory_bytes == (300u << 20));
}

TEST_CASE("a browser is a healthy candidate while the monitor's score is at "
          "least the threshold") {
  slot_table t{{1, make_slot(phase::ready, 0)},
               {2, make_slot(phase::ready, 0)}};
  t[2].last.health_score = 55;
  auto c = candidates(t, placement_hint{true, "vad/fp32@wasm", 10, 0}, 70);
  REQUIRE(c.size() == 2);
  CHECK(c[0].healthy);
  CHECK_FALSE(c[1].healthy);
  CHECK(candidates(t, placement_hint{true, "", 10, 0}, 50)[1].healthy);
}

TEST_CASE("the kind's stats count browsers waiting for a restart apart") {
  slot_table t{{1, make_slot(phase::ready, 0)},
               {2, make_slot(phase::draining, 0)},
               {3, make_slot(phase::backoff, 0)}};
  kind_stats counters;
  counters.launches = 4;
  auto s = snapshot(t, counters, "chromium");
  CHECK(s.kind == "chromium");
  CHECK(s.launches == 4);
  CHECK(s.restarting == 1);
  REQUIRE(s.connections.size() == 2);
  CHECK(s.connections[0].state == "ready");
  CHECK(s.connections[1].state == "draining");
  CHECK(s.connections[1].kind == "chromium");
}
