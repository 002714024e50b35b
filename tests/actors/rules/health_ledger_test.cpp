#include "actors/rules/health_ledger.hpp"

#include <doctest/doctest.h>

#include "actors/rules/canary.hpp"
#include "messages/error.hpp"

using namespace webaccel;
using namespace std::chrono_literals;

namespace {

using clock_type = health_ledger::clock_type;

health_policy policy() {
  health_policy p;
  p.interval_ms = 500;
  p.canary_every_ms = 1000;
  p.canary_failures = 2;
  return p;
}

connection_stats stats(uint64_t requests, uint64_t failures) {
  connection_stats s;
  s.kind = "chromium";
  s.pid = 42;
  s.requests = requests;
  s.failures = failures;
  s.heartbeat_ms = 1.5;
  s.process_bytes = 200u << 20;
  return s;
}

} // namespace

TEST_CASE("a browser's first canaries are due at once, one per platform, "
          "and the next one canary_every_ms after each ended") {
  health_ledger book{policy(), 5, std::chrono::milliseconds{10000}};
  auto t = clock_type::time_point{};
  book.add_browser(7, {"webgpu", "wasm"}, t);
  auto due = book.due_canaries(t);
  REQUIRE(due.size() == 2);
  CHECK(due[0].platform == "webgpu");
  CHECK(due[1].platform == "wasm");
  // Under way: not due again.
  CHECK(book.due_canaries(t + 5s).empty());
  book.canary_done(due[1], canary_outcome::ok, 3, "", t + 10ms);
  CHECK(book.due_canaries(t + 500ms).empty());
  auto next = book.due_canaries(t + 1010ms);
  REQUIRE(next.size() == 1);
  CHECK(next[0].platform == "wasm");
  // One that could not run is tried again at the next interval, unjudged.
  book.canary_skipped(due[0], t + 20ms);
  CHECK(book.due_canaries(t + 400ms).empty());
  CHECK(book.due_canaries(t + 520ms).size() == 1);
  CHECK(book.score(7) == 100);
  CHECK(book.canaries() == 1);
}

TEST_CASE("canaries that time out in a row make a recycle order, once, as "
          "a timeout") {
  health_ledger book{policy(), 5, std::chrono::milliseconds{10000}};
  auto t = clock_type::time_point{};
  book.add_browser(7, {"wasm"}, t);
  book.add_sample(7, stats(10, 0), 0, 2, 4, t);
  auto job = book.due_canaries(t).at(0);
  book.canary_done(job, canary_outcome::timed_out, 0, "no answer", t + 1s);
  CHECK(book.score(7) == 70);
  CHECK(book.take_recycle(7).why.empty()); // One failure is not enough.
  // A failed canary is asked again at the next interval, not in a second.
  CHECK(book.due_canaries(t + 1400ms).empty());
  job = book.due_canaries(t + 1500ms).at(0);
  book.canary_done(job, canary_outcome::timed_out, 0, "no answer", t + 3s);
  auto order = book.take_recycle(7);
  CHECK(order.browser == 7);
  CHECK(order.category == static_cast<uint8_t>(errc::timeout));
  CHECK(order.why == "score 0 below 40: canary timed_out (2 in a row)");
  CHECK(book.take_recycle(7).why.empty());   // Already recycling.
  CHECK(book.due_canaries(t + 10s).empty()); // No more canaries for it.
  CHECK(book.recycled() == 1);
  CHECK(book.canary_failures() == 2);
  auto reports = book.reports();
  REQUIRE(reports.size() == 1);
  auto& r = reports[0];
  CHECK(r.kind == "chromium");
  CHECK(r.pid == 42);
  CHECK(r.recycling);
  CHECK(r.latency_p50_ms == 2);
  REQUIRE(r.canaries.size() == 1);
  CHECK(r.canaries[0].failures_in_a_row == 2);
  CHECK(r.canaries[0].last_outcome == "timed_out");
  CHECK(r.canaries[0].last_error == "no answer");
}

TEST_CASE("a browser failing its requests is recycled as a connection "
          "failure; forgotten browsers leave the book") {
  health_ledger book{policy(), 5, std::chrono::milliseconds{10000}};
  auto t = clock_type::time_point{};
  book.add_browser(7, {}, t);
  book.add_browser(8, {}, t);
  book.add_sample(7, stats(0, 0), 0, 0, 0, t);
  auto s = stats(100, 60);
  s.failures_in_a_row = 60;
  book.add_sample(7, s, 0, 0, 0, t + 2s);
  auto order = book.take_recycle(7);
  CHECK(order.category == static_cast<uint8_t>(errc::connection));
  CHECK(order.why.find("60 % of requests failed") != std::string::npos);
  CHECK(order.why.find("circuit breaker open") != std::string::npos);
  book.keep_only({8});
  CHECK_FALSE(book.knows(7));
  CHECK(book.knows(8));
  CHECK(book.score(7) == 100); // Unknown: nothing against it.
}

TEST_CASE("the monitor's circuit breaker opens on failures in a row, lets "
          "a probe go after the cool-down, and closes on an answer") {
  health_ledger book{policy(), 5, std::chrono::milliseconds{10000}};
  auto t = clock_type::time_point{};
  book.add_browser(7, {}, t);
  auto s = stats(10, 0);
  s.answered = 10;
  book.add_sample(7, s, 0, 0, 0, t);
  CHECK(book.breaker(7) == breaker_state::closed);
  s.failures_in_a_row = 4;
  book.add_sample(7, s, 0, 0, 0, t + 1s);
  CHECK(book.breaker(7) == breaker_state::closed);
  s.failures_in_a_row = 5;
  book.add_sample(7, s, 0, 0, 0, t + 2s);
  CHECK(book.breaker(7) == breaker_state::open);
  book.add_sample(7, s, 0, 0, 0, t + 11s);
  CHECK(book.breaker(7) == breaker_state::open); // 9 s of 10
  book.add_sample(7, s, 0, 0, 0, t + 12s);
  CHECK(book.breaker(7) == breaker_state::half_open);
  SUBCASE("the probe fails: open again") {
    s.failures_in_a_row = 6;
    book.add_sample(7, s, 0, 0, 0, t + 13s);
    CHECK(book.breaker(7) == breaker_state::open);
  }
  SUBCASE("the probe is answered: closed") {
    s.answered = 11;
    s.failures_in_a_row = 0;
    book.add_sample(7, s, 0, 0, 0, t + 13s);
    CHECK(book.breaker(7) == breaker_state::closed);
  }
  SUBCASE("answered, then 5 failures since: open at once") {
    s.answered = 11;
    s.failures_in_a_row = 5;
    book.add_sample(7, s, 0, 0, 0, t + 13s);
    CHECK(book.breaker(7) == breaker_state::open);
  }
}

TEST_CASE("the canary's answer is checked value by value") {
  auto req = canary_request(1500);
  CHECK(req.timeout_ms == 1500);
  REQUIRE(req.inputs.size() == 1);
  auto x = req.inputs[0].to_floats();
  std::vector<float> y;
  for (auto v : x)
    y.push_back(2 * v + 1);
  page_result ok;
  ok.outputs.push_back(tensor::from_floats("y", {16}, y));
  CHECK(check_canary(ok).empty());
  auto wrong = ok;
  y[3] = 0;
  wrong.outputs[0] = tensor::from_floats("y", {16}, y);
  CHECK(check_canary(wrong) == "y[3] is 0.000000, expected 9.000000");
  CHECK(check_canary(page_result{}) == "expected 1 output, got 0");
  std::string why;
  CHECK_FALSE(canary_spec("/nonexistent", why));
  CHECK(why.find("/nonexistent/models/webaccel_canary.onnx cannot be read")
        != std::string::npos);
}
