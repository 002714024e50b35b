#include "config/thread_barrier.hpp"

#include <stdexcept>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "tests/support/log_capture.hpp"

using namespace webaccel;

TEST_CASE("work that throws on a thread becomes a reported failure, not "
          "std::terminate") {
  test::log_capture log;
  auto before = caught_exceptions(thread_kind::launcher);
  std::string seen;
  bool normal = true;
  std::thread t{[&] {
    normal = run_in_barrier(
      thread_kind::launcher, "a test launch",
      [] { throw std::runtime_error("the remote end said no"); },
      [&](const std::string& error) { seen = error; });
  }};
  t.join();
  CHECK_FALSE(normal);
  CHECK(seen == "the remote end said no");
  CHECK(caught_exceptions(thread_kind::launcher) == before + 1);
  CHECK(log.text().find("error launcher thread: a test launch failed with an "
                        "exception: the remote end said no")
        != std::string::npos);
}

TEST_CASE("what is thrown need not be a std::exception, and a failure "
          "handler that throws is contained too") {
  test::log_capture log;
  auto before = caught_exceptions(thread_kind::dashboard_feed);
  std::thread t{[&] {
    run_in_barrier(
      thread_kind::dashboard_feed, "a test snapshot", [] { throw 42; },
      [](const std::string& error) {
        CHECK(error == "an exception that is not a std::exception");
        throw std::logic_error("the handler failed too");
      });
  }};
  t.join();
  CHECK(caught_exceptions(thread_kind::dashboard_feed) == before + 2);
}

TEST_CASE("work that ends normally is neither reported nor counted") {
  auto before = caught_exceptions(thread_kind::signal);
  int runs = 0;
  CHECK(run_in_barrier(thread_kind::signal, "nothing", [&] { ++runs; }));
  CHECK(runs == 1);
  CHECK(caught_exceptions(thread_kind::signal) == before);
  CHECK(std::string{to_string(thread_kind::blocking_pool)} == "blocking_pool");
  CHECK(std::string{to_string(thread_kind::io)} == "io");
}
