#include "actors/rules/page_requests.hpp"

#include <doctest/doctest.h>

namespace webaccel {

using namespace std::chrono_literals;

namespace {

using table = page_requests<int>;

table::time_point at(std::chrono::milliseconds t) {
  return table::time_point{} + t;
}

std::vector<uint8_t> frame_of(size_t bytes) {
  return std::vector<uint8_t>(bytes, 7);
}

table::sizes small_sizes() {
  table::sizes s;
  s.max_message_bytes = 1000;
  s.bundle_overhead = 64;
  s.frame_overhead = 5;
  return s;
}

} // namespace

TEST_CASE("the page gets two messages at once; the rest wait as a bundle") {
  table t{small_sizes()};
  CHECK(t.add(1, 10, frame_of(10), at(0ms), at(1000ms)));
  CHECK(t.add(2, 20, frame_of(10), at(0ms), at(1000ms)));
  for (uint64_t id = 3; id <= 6; ++id)
    CHECK_FALSE(t.add(id, 0, frame_of(10), at(1ms), at(1000ms)));
  CHECK(t.dispatches() == 2);
  CHECK(t.held() == 4);
  // Nothing may go while both messages are at the page.
  CHECK(t.sendable(at(2ms)).empty());
  auto first = t.take(1);
  REQUIRE(first);
  CHECK(first->waiter == 10);
  auto go = t.sendable(at(3ms));
  REQUIRE(go.size() == 1);
  CHECK(go[0].ids == std::vector<uint64_t>{3, 4, 5, 6});
  CHECK(t.held() == 0);
  CHECK(t.dispatches() == 2);
}

TEST_CASE("a bundle stops where the next frame would pass the message size") {
  table t{small_sizes()};
  t.add(1, 0, frame_of(10), at(0ms), at(1000ms));
  t.add(2, 0, frame_of(10), at(0ms), at(1000ms));
  // 1000 - 64 = 936 bytes for frames of 300 + 5 each: three fit.
  for (uint64_t id = 3; id <= 7; ++id)
    t.add(id, 0, frame_of(300), at(0ms), at(1000ms));
  t.take(1);
  t.take(2);
  auto go = t.sendable(at(1ms));
  REQUIRE(go.size() == 2);
  CHECK(go[0].ids == std::vector<uint64_t>{3, 4, 5});
  CHECK(go[1].ids == std::vector<uint64_t>{6, 7});
}

TEST_CASE("a message lets held requests go once its last request left") {
  table t{small_sizes()};
  t.add(1, 0, frame_of(10), at(0ms), at(1000ms));
  t.add(2, 0, frame_of(10), at(0ms), at(1000ms));
  t.add(3, 0, frame_of(10), at(0ms), at(1000ms));
  t.add(4, 0, frame_of(10), at(0ms), at(1000ms));
  t.take(1);
  auto bundle = t.sendable(at(1ms));
  REQUIRE(bundle.size() == 1);
  CHECK(bundle[0].ids == std::vector<uint64_t>{3, 4});
  t.add(5, 0, frame_of(10), at(2ms), at(1000ms));
  // The bundle of 3 and 4 is one message: 3 alone leaving frees nothing.
  t.take(3);
  CHECK(t.sendable(at(3ms)).empty());
  t.take(4);
  auto go = t.sendable(at(4ms));
  REQUIRE(go.size() == 1);
  CHECK(go[0].ids == std::vector<uint64_t>{5});
}

TEST_CASE("expired requests leave, held ones are skipped, late answers miss") {
  table t{small_sizes()};
  t.add(1, 1, frame_of(10), at(0ms), at(100ms));
  t.add(2, 2, frame_of(10), at(0ms), at(500ms));
  t.add(3, 3, frame_of(10), at(0ms), at(100ms)); // Held.
  t.add(4, 4, frame_of(10), at(0ms), at(500ms)); // Held.
  auto expired = t.expire(at(100ms));
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].waiter == 1);
  CHECK(expired[1].waiter == 3);
  CHECK_FALSE(t.take(1)); // The page answers after the deadline.
  auto go = t.sendable(at(101ms));
  REQUIRE(go.size() == 1);
  CHECK(go[0].ids == std::vector<uint64_t>{4});
  auto answered = t.take(4);
  REQUIRE(answered);
  CHECK(answered->sent == at(101ms));
}

TEST_CASE("deadline timers: one for the earliest, none twice for a time") {
  table t{small_sizes()};
  t.add(1, 0, frame_of(10), at(0ms), at(30000ms));
  CHECK(t.timer_to_arm() == at(30000ms));
  // Later deadlines need no timer of their own.
  t.add(2, 0, frame_of(10), at(1ms), at(30001ms));
  CHECK_FALSE(t.timer_to_arm());
  // An earlier one does; the 30 s timer stays pending.
  t.add(3, 0, frame_of(10), at(2ms), at(1000ms));
  CHECK(t.timer_to_arm() == at(1000ms));
  CHECK(t.timers() == 2);
  t.fired(at(1000ms));
  CHECK(t.expire(at(1000ms)).size() == 1);
  // The 30 s timer is still on its way: nothing to arm.
  CHECK_FALSE(t.timer_to_arm());
  CHECK(t.timers() == 1);
  t.fired(at(30000ms));
  CHECK(t.expire(at(30000ms)).size() == 1);
  CHECK(t.timer_to_arm() == at(30001ms));
  // Answered before its deadline: the timer fires and finds nothing.
  t.take(2);
  t.fired(at(30001ms));
  CHECK(t.expire(at(30001ms)).empty());
  CHECK_FALSE(t.timer_to_arm());
  CHECK(t.timers() == 0);
}

TEST_CASE("take_all empties the table for a failed connection") {
  table t{small_sizes()};
  for (uint64_t id = 1; id <= 5; ++id)
    t.add(id, static_cast<int>(id), frame_of(10), at(0ms), at(1000ms));
  auto all = t.take_all();
  CHECK(all.size() == 5);
  CHECK(t.empty());
  CHECK(t.held() == 0);
  CHECK(t.dispatches() == 0);
  CHECK(t.sendable(at(1ms)).empty());
}

} // namespace webaccel
