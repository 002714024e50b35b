#include "transport/store/metrics_aggregate.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

inference_event answer(const std::string& model, const std::string& platform,
                       double ms, uint32_t batch = 1, bool first = true) {
  inference_event e;
  e.model = model;
  e.browser = "chromium";
  e.platform = platform;
  e.total_ms = ms;
  e.queue_ms = 0.5;
  e.batch_size = batch;
  e.first_of_batch = first;
  return e;
}

recovery_event step(const std::string& strategy, const std::string& outcome,
                    double ms) {
  recovery_event e;
  e.category = "browser_crash";
  e.strategy = strategy;
  e.outcome = outcome;
  e.duration_ms = ms;
  return e;
}

} // namespace

TEST_CASE("live figures: throughput, latency, batches and platforms") {
  metrics_aggregate agg;
  for (int i = 0; i < 8; ++i)
    agg.add(answer("bert", "wasm", 4.0, 8, i == 0));
  agg.add(answer("vad", "webgpu", 10.0));
  auto s = agg.summary(100, 110, 1);
  CHECK(s.requests.requests == 9);
  CHECK(s.requests.batches == 2);
  CHECK(s.requests.throughput_per_s == doctest::Approx(0.9));
  CHECK(s.requests.avg_queue_ms == doctest::Approx(0.5));
  CHECK(s.platform_distribution["wasm"] == 8);
  CHECK(s.platform_distribution["webgpu"] == 1);
  CHECK(s.models["bert"].requests == 8);
  CHECK(s.models["vad"].max_ms == 10.0);
  CHECK(s.placements.size() == 2);
  REQUIRE(s.browsers.size() == 1);
  CHECK(s.browsers[0].requests.requests == 9);
}

TEST_CASE("recovery figures count attempts, cases and time to recover") {
  metrics_aggregate agg;
  agg.add(step("retry", "failed", 100));
  agg.add(step("restart_browser", "recovered", 700));
  agg.add(step("another_browser", "skipped", 0));
  agg.add(step("", "exhausted", 2000));
  auto s = agg.summary(0, 1, 1);
  REQUIRE(s.recoveries.size() == 1);
  auto& r = s.recoveries[0];
  CHECK(r.attempts == 2);
  CHECK(r.recovered == 1);
  CHECK(r.exhausted == 1);
  CHECK(r.strategies["retry"] == 1);
  CHECK(r.outcomes["another_browser: skipped"] == 1);
  CHECK(r.avg_recovery_ms == 700);
}

TEST_CASE("loads and cache lookups") {
  metrics_aggregate agg;
  load_event ok;
  ok.load_ms = 200;
  ok.warmup_ms = 50;
  load_event failed;
  failed.ok = false;
  agg.add(ok);
  agg.add(failed);
  agg.add(cache_event{"bert", false});
  agg.add(cache_event{"bert", true});
  agg.add(cache_event{"bert", true});
  auto s = agg.summary(0, 1, 1);
  CHECK(s.loads.loads == 2);
  CHECK(s.loads.failures == 1);
  CHECK(s.loads.avg_load_ms == 200);
  CHECK(s.loads.avg_warmup_ms == 50);
  CHECK(s.cache_hits == 2);
  CHECK(s.cache_misses == 1);
}
