#include "transport/store/metrics_sink.hpp"

#include <atomic>
#include <thread>

#include <doctest/doctest.h>

using namespace webaccel;

TEST_CASE("a full sink drops and counts instead of waiting") {
  metrics_sink sink{3};
  for (int i = 0; i < 5; ++i)
    sink.push(cache_event{"m" + std::to_string(i), true});
  CHECK(sink.dropped() == 2);
  auto taken = sink.take();
  REQUIRE(taken.size() == 3);
  CHECK(std::get<cache_event>(taken[0]).model == "m0");
  CHECK(std::get<cache_event>(taken[2]).model == "m2");
  // Room again after a take.
  CHECK(sink.push(cache_event{"m5", false}));
  CHECK(sink.take().size() == 1);
  CHECK(sink.take().empty());
}

TEST_CASE("producers on many threads lose nothing below the capacity") {
  metrics_sink sink{100000};
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t)
    producers.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        sink.push(inference_event{});
    });
  std::atomic<bool> done{false};
  size_t seen = 0;
  std::thread consumer{[&] {
    while (!done) {
      seen += sink.take().size();
      std::this_thread::yield();
    }
  }};
  for (auto& p : producers)
    p.join();
  done = true;
  consumer.join();
  seen += sink.take().size();
  CHECK(seen == 40000);
  CHECK(sink.dropped() == 0);
}
