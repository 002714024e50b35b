#include "actors/rules/pool_rules.hpp"

#include <doctest/doctest.h>

using namespace webaccel;
using std::chrono::milliseconds;

TEST_CASE("restart backoff doubles from the base up to the cap, plus jitter") {
  restart_policy p; // 1000 ms base, 15000 ms cap
  CHECK(restart_delay(p, 0, 0.0) == milliseconds{1000});
  CHECK(restart_delay(p, 1, 0.0) == milliseconds{2000});
  CHECK(restart_delay(p, 3, 0.0) == milliseconds{8000});
  CHECK(restart_delay(p, 4, 0.0) == milliseconds{15000});
  CHECK(restart_delay(p, 60, 0.0) == milliseconds{15000});
  // Jitter adds up to a quarter, never less than the delay itself.
  CHECK(restart_delay(p, 0, 1.0) == milliseconds{1250});
  CHECK(restart_delay(p, 4, 0.5) == milliseconds{16875});
  CHECK(restart_delay(p, 0, 7.0) == milliseconds{1250});
}

TEST_CASE("restart intensity allows MaxR restarts within MaxT, then says "
          "stop") {
  restart_policy p;
  p.max_restarts = 2;
  p.window_ms = 10000;
  restart_intensity limit{p};
  auto t0 = pool_clock::now();
  CHECK(limit.record(t0));
  CHECK(limit.record(t0 + milliseconds{1000}));
  CHECK_FALSE(limit.record(t0 + milliseconds{2000}));
  SUBCASE("restarts older than the window are forgotten") {
    restart_intensity fresh{p};
    CHECK(fresh.record(t0));
    CHECK(fresh.record(t0 + milliseconds{1000}));
    CHECK(fresh.record(t0 + milliseconds{10500}));
    CHECK(fresh.recent(t0 + milliseconds{10500}) == 2);
    CHECK(fresh.recent(t0 + milliseconds{30000}) == 0);
  }
  SUBCASE("a limit of zero escalates at the first failure") {
    p.max_restarts = 0;
    restart_intensity none{p};
    CHECK_FALSE(none.record(t0));
  }
}

TEST_CASE("browsers are retired for memory, requests, age and idleness") {
  pool_policy p;
  p.recycle_after_requests = 100;
  p.max_lifetime_ms = 60000;
  p.idle_timeout_ms = 5000;
  browser_usage h;
  h.requests = 10;
  h.age = milliseconds{1000};
  h.idle = milliseconds{10};
  h.memory_bytes = 100u << 20;
  std::string why;
  CHECK(should_retire(h, p, 500, true, why) == retire_reason::keep);
  SUBCASE("memory over the kind's limit") {
    h.memory_bytes = 600u << 20;
    CHECK(should_retire(h, p, 500, true, why) == retire_reason::memory);
    CHECK(why == "uses 600 MiB, over its limit of 500 MiB");
    CHECK(should_retire(h, p, 0, true, why) == retire_reason::keep);
  }
  SUBCASE("enough requests served") {
    h.requests = 100;
    CHECK(should_retire(h, p, 500, true, why) == retire_reason::requests);
    CHECK(why == "served 100 requests (limit 100)");
  }
  SUBCASE("too old") {
    h.age = milliseconds{60000};
    CHECK(should_retire(h, p, 500, true, why) == retire_reason::lifetime);
  }
  SUBCASE("idle, but only above the kind's minimum and with nothing in "
          "flight") {
    h.idle = milliseconds{5000};
    CHECK(should_retire(h, p, 500, true, why) == retire_reason::idle);
    CHECK(why == "was idle for 5000 ms");
    CHECK(should_retire(h, p, 500, false, why) == retire_reason::keep);
    h.in_flight = 1;
    CHECK(should_retire(h, p, 500, true, why) == retire_reason::keep);
  }
  SUBCASE("zero turns a limit off") {
    p = pool_policy{};
    p.idle_timeout_ms = 0;
    h.requests = 1u << 30;
    h.age = milliseconds{1} * (1 << 30);
    h.idle = h.age;
    CHECK(should_retire(h, p, 0, true, why) == retire_reason::keep);
  }
}

TEST_CASE("a model goes to a warm browser, else an idle one within budget, "
          "else a new one, else the least loaded within budget") {
  constexpr uint64_t mib = 1 << 20;
  const uint64_t limit = 1000 * mib;
  std::vector<browser_candidate> ready{
    {1, 2, 300 * mib, false},
    {2, 1, 900 * mib, false}, // 900 + 200 would pass the budget
    {3, 3, 200 * mib, true},  // has the model loaded
  };
  SUBCASE("warm wins even when it is the busiest") {
    auto c = choose_browser(ready, 200 * mib, limit, true);
    CHECK(c.action == browser_choice::use);
    CHECK(c.id == 3);
    CHECK(c.why == "warm: it has the model loaded");
    CHECK(c.basis == browser_choice::warm);
  }
  ready[2].has_model = false;
  SUBCASE("room for a new browser beats sharing a busy one") {
    auto c = choose_browser(ready, 200 * mib, limit, true);
    CHECK(c.action == browser_choice::grow);
  }
  SUBCASE("full: the least loaded browser that has room for the model") {
    auto c = choose_browser(ready, 200 * mib, limit, false);
    CHECK(c.action == browser_choice::use);
    CHECK(c.id == 1); // browser 2 is less loaded but has no room
    CHECK(c.why == "least loaded within its memory budget");
    CHECK(c.basis == browser_choice::least_loaded);
  }
  SUBCASE("an idle browser is used before a new one, if the model fits") {
    ready.push_back({4, 0, 950 * mib, false});
    ready.push_back({5, 0, 100 * mib, false});
    auto c = choose_browser(ready, 200 * mib, limit, true);
    CHECK(c.id == 5);
    CHECK(c.why == "idle");
    CHECK(c.basis == browser_choice::idle);
  }
  SUBCASE("every browser past its budget: the least loaded, said so") {
    auto c = choose_browser(ready, 900 * mib, limit, false);
    CHECK(c.id == 2);
    CHECK(c.why == "least loaded; every browser is past its memory budget");
    CHECK(c.basis == browser_choice::past_budget);
  }
  SUBCASE("no budget configured: least loaded") {
    CHECK(choose_browser(ready, 900 * mib, 0, false).id == 2);
  }
  SUBCASE("nothing ready and no room: wait") {
    CHECK(choose_browser({}, 1, limit, false).action == browser_choice::wait);
  }
}

TEST_CASE("healthy browsers come first; an unhealthy one only where "
          "nothing else can take the model") {
  std::vector<browser_candidate> ready{
    {1, 0, 0, true, false}, // warm and idle, but its health is poor
    {2, 3, 0, false, true},
  };
  SUBCASE("a healthy busy browser beats an unhealthy warm one") {
    auto c = choose_browser(ready, 1, 0, false);
    CHECK(c.id == 2);
    CHECK(c.basis == browser_choice::least_loaded);
  }
  SUBCASE("a new browser beats an unhealthy one") {
    CHECK(choose_browser(ready, 1, 0, true).action == browser_choice::grow);
  }
  SUBCASE("only unhealthy browsers and no room: the best of them, said so") {
    ready[1].healthy = false;
    auto c = choose_browser(ready, 1, 0, false);
    CHECK(c.action == browser_choice::use);
    CHECK(c.id == 1);
    CHECK(c.why
          == "warm: it has the model loaded (its health is poor, but no "
             "other browser can take it)");
  }
}
