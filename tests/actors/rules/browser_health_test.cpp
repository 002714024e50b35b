#include "actors/rules/browser_health.hpp"

#include <doctest/doctest.h>

using namespace webaccel;
using namespace std::chrono_literals;

namespace {

using clock_type = browser_health::clock_type;

browser_reading reading(uint64_t requests, uint64_t failures,
                        uint64_t memory_mib = 100) {
  browser_reading r;
  r.heartbeat_ms = 2;
  r.memory_bytes = memory_mib << 20;
  r.requests = requests;
  r.failures = failures;
  return r;
}

} // namespace

TEST_CASE("a browser that answers everything is healthy") {
  browser_health h{health_policy{}};
  auto t = clock_type::time_point{};
  for (int i = 0; i < 10; ++i)
    h.add_reading(reading(100 * i, 0), t + i * 2s);
  h.add_canary(canary_outcome::ok, 3.5);
  CHECK(h.score() == 100);
  CHECK(h.reasons().empty());
  CHECK_FALSE(h.sick());
  CHECK(h.last_canary_ms() == 3.5);
}

TEST_CASE("a page that answers pings but no canary is sick after the "
          "configured failures in a row") {
  browser_health h{health_policy{}};
  h.add_reading(reading(0, 0), {});
  h.add_canary(canary_outcome::timed_out, 0);
  CHECK(h.score() == 70);
  CHECK_FALSE(h.sick());
  h.add_canary(canary_outcome::timed_out, 0);
  CHECK(h.score() == 0);
  CHECK(h.sick());
  REQUIRE(h.reasons().size() == 1);
  CHECK(h.reasons()[0] == "canary timed_out (2 in a row)");
  // One good answer clears it.
  h.add_canary(canary_outcome::ok, 4);
  CHECK(h.score() == 100);
}

TEST_CASE("failure rate, slow heartbeats, an open breaker and memory each "
          "cost points with a reason") {
  health_policy p;
  browser_health h{p};
  auto t = clock_type::time_point{};
  h.add_reading(reading(0, 0), t);
  auto r = reading(100, 50, 3900);
  r.heartbeat_ms = 1500;
  r.breaker = breaker_state::open;
  r.memory_limit_bytes = uint64_t{4096} << 20;
  h.add_reading(r, t + 2s);
  CHECK(h.error_rate() == doctest::Approx(0.5));
  auto reasons = h.reasons();
  CHECK(reasons.size() == 4);
  CHECK(h.score() == 0); // 100 - 50 - 20 - 30 - 30, floored
  CHECK(h.sick());
}

TEST_CASE("too few requests make no error rate; memory trend is per "
          "minute") {
  browser_health h{health_policy{}};
  auto t = clock_type::time_point{};
  h.add_reading(reading(0, 0, 100), t);
  h.add_reading(reading(3, 3, 200), t + 30s);
  h.add_reading(reading(4, 4, 300), t + 60s);
  CHECK(h.error_rate() == 0); // 4 requests < min_requests
  CHECK(h.memory_growth_mib_per_min() == doctest::Approx(200));
  CHECK(h.score() == 90);
  CHECK(h.reasons() == std::vector<std::string>{"memory grows 200 MiB/min"});
}

TEST_CASE("memory that grows for a few seconds is no trend yet; samples "
          "older than a minute are forgotten") {
  browser_health h{health_policy{}};
  auto t = clock_type::time_point{};
  // A browser that just started and loads a model: +50 MiB a second.
  for (int i = 0; i < 10; ++i)
    h.add_reading(reading(0, 0, 100 + 25 * i), t + i * 500ms);
  CHECK(h.memory_growth_mib_per_min() == 0);
  CHECK(h.score() == 100);
  // Flat for two minutes: the start-up growth leaves the window.
  for (int i = 0; i < 60; ++i)
    h.add_reading(reading(0, 0, 400), t + 5s + i * 2s);
  CHECK(h.memory_growth_mib_per_min() == doctest::Approx(0));
  CHECK(h.score() == 100);
}
