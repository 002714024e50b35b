#include "transport/blocking_pool.hpp"

#include <atomic>
#include <chrono>
#include <future>

#include <doctest/doctest.h>

#include "config/thread_barrier.hpp"
#include "tests/support/log_capture.hpp"

namespace webaccel {

using namespace std::chrono_literals;

TEST_CASE("a task that blocks does not hold up the next one") {
  blocking_pool pool{4};
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> blocked{0};
  for (int i = 0; i < 2; ++i)
    REQUIRE(pool.post([&blocked, released] {
      ++blocked;
      released.wait();
    }));
  std::promise<void> ran;
  REQUIRE(pool.post([&ran] { ran.set_value(); }));
  CHECK(ran.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(pool.threads() == 3);
  release.set_value();
  pool.stop();
  CHECK(blocked == 2);
  CHECK(pool.pending() == 0);
}

TEST_CASE("past its maximum, tasks wait in order for a free thread") {
  blocking_pool pool{1};
  std::vector<int> order;
  for (int i = 0; i < 5; ++i)
    pool.post([&order, i] { order.push_back(i); });
  pool.stop();
  CHECK(pool.threads() == 0);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("stop runs what was queued, joins, and refuses later tasks") {
  std::atomic<int> ran{0};
  {
    blocking_pool pool{2};
    for (int i = 0; i < 10; ++i)
      pool.post([&ran] {
        std::this_thread::sleep_for(1ms);
        ++ran;
      });
    pool.stop();
    CHECK(ran == 10);
    CHECK_FALSE(pool.post([&ran] { ++ran; }));
    pool.stop(); // Idempotent.
  }
  CHECK(ran == 10);
}

TEST_CASE("an idle thread takes the next task instead of a new thread") {
  blocking_pool pool{8};
  for (int i = 0; i < 20; ++i) {
    std::promise<void> done;
    pool.post([&done] { done.set_value(); });
    done.get_future().wait();
    // Give the thread time to go back to waiting.
    for (int spin = 0; spin < 1000 && pool.pending() > 0; ++spin)
      std::this_thread::sleep_for(1ms);
  }
  CHECK(pool.threads() <= 2);
  pool.stop();
}

TEST_CASE("a task that throws is answered through its failure handler, and "
          "the pool goes on") {
  test::log_capture log;
  auto before = caught_exceptions(thread_kind::blocking_pool);
  blocking_pool pool{1};
  std::promise<std::string> failed;
  pool.post([] { throw std::runtime_error("the /proc scan failed"); },
            [&](const std::string& error) { failed.set_value(error); });
  std::promise<void> next;
  pool.post([&] { next.set_value(); });
  auto f = failed.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get() == "the /proc scan failed");
  // The pool's only thread lives on and runs the next task.
  CHECK(next.get_future().wait_for(10s) == std::future_status::ready);
  CHECK(pool.threads() == 1);
  pool.post([] { throw 1; }); // No handler: reported all the same.
  pool.stop();
  CHECK(caught_exceptions(thread_kind::blocking_pool) == before + 2);
  CHECK(log.text().find("blocking_pool thread: a blocking task failed")
        != std::string::npos);
}

} // namespace webaccel
