#include "actors/rules/circuit_breaker.hpp"

#include <string>

#include <doctest/doctest.h>

using namespace webaccel;
using namespace std::chrono_literals;

TEST_CASE("a circuit opens after N failures in a row, probes once after the "
          "cool-down, and closes on success") {
  circuit_breaker b{3, 10000ms};
  circuit_breaker::clock_type::time_point t{};
  b.on_failure(t);
  b.on_failure(t);
  b.on_success(); // A success in between starts the count again.
  b.on_failure(t);
  b.on_failure(t);
  CHECK(b.current() == circuit_breaker::state::closed);
  CHECK(b.allow(t));
  b.on_failure(t);
  CHECK(b.current() == circuit_breaker::state::open);
  CHECK_FALSE(b.allow(t + 9999ms));
  CHECK(b.cooldown_left(t + 4000ms) == 6000ms);
  // Half-open: one probe, no second request until it is answered.
  CHECK(b.allow(t + 10000ms));
  CHECK(b.current() == circuit_breaker::state::half_open);
  CHECK_FALSE(b.allow(t + 10001ms));
  SUBCASE("the probe fails: open again for another cool-down") {
    b.on_failure(t + 10500ms);
    CHECK(b.current() == circuit_breaker::state::open);
    CHECK_FALSE(b.allow(t + 20000ms));
    CHECK(b.allow(t + 20500ms));
  }
  SUBCASE("the probe succeeds: closed") {
    b.on_success();
    CHECK(b.current() == circuit_breaker::state::closed);
    CHECK(b.allow(t + 10001ms));
    CHECK(b.consecutive_failures() == 0);
  }
}

TEST_CASE("a threshold of zero never opens the circuit") {
  circuit_breaker b{0, 1000ms};
  circuit_breaker::clock_type::time_point t{};
  for (int i = 0; i < 100; ++i)
    b.on_failure(t);
  CHECK(b.allow(t));
  CHECK(to_string(b.current()) == std::string{"closed"});
}
