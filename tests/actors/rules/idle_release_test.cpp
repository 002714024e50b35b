#include "actors/rules/idle_release.hpp"

#include <doctest/doctest.h>

namespace webaccel {

using namespace std::chrono_literals;

namespace {

idle_release::clock_type::time_point at(std::chrono::milliseconds t) {
  return idle_release::clock_type::time_point{} + t;
}

} // namespace

TEST_CASE("an idle instance arms one check, however many answers came") {
  idle_release idle{10000ms};
  CHECK(idle.on_activity(at(0ms), 0) == 10000ms);
  // Answers after that arm nothing more: one check is pending.
  for (int i = 1; i < 1000; ++i)
    CHECK_FALSE(idle.on_activity(at(std::chrono::milliseconds{i}), 0));
  CHECK(idle.armed());
}

TEST_CASE("a check that comes early looks again when the idle time is up") {
  idle_release idle{10000ms};
  REQUIRE(idle.on_activity(at(0ms), 0));
  idle.on_activity(at(4000ms), 0); // Another answer, later.
  auto v = idle.on_check(at(10000ms), 0, true);
  CHECK_FALSE(v.release);
  CHECK(v.again == 4000ms);
  v = idle.on_check(at(14000ms), 0, true);
  CHECK(v.release);
  CHECK_FALSE(v.again);
  CHECK_FALSE(idle.armed());
}

TEST_CASE("a busy instance keeps its browser and arms at its next idle") {
  idle_release idle{1000ms};
  REQUIRE(idle.on_activity(at(0ms), 0));
  idle.on_activity(at(10ms), 3); // Requests arrive.
  auto v = idle.on_check(at(1000ms), 3, true);
  CHECK_FALSE(v.release);
  CHECK_FALSE(v.again);
  // The last of them answered: a new check.
  CHECK(idle.on_activity(at(1500ms), 0) == 1000ms);
  CHECK(idle.on_check(at(2500ms), 0, true).release);
}

TEST_CASE("an instance between browsers has nothing to release") {
  idle_release idle{1000ms};
  REQUIRE(idle.on_activity(at(0ms), 0));
  auto v = idle.on_check(at(5000ms), 0, false);
  CHECK_FALSE(v.release);
  CHECK_FALSE(v.again);
  CHECK(idle.on_activity(at(6000ms), 0) == 1000ms);
}

TEST_CASE("idle_unload 0 never releases and never arms") {
  idle_release idle{0ms};
  CHECK_FALSE(idle.on_activity(at(0ms), 0));
  CHECK_FALSE(idle.on_check(at(1000000ms), 0, true).release);
}

} // namespace webaccel
