// The health monitor with real headless Chromium: canaries run on each of
// a browser's platforms and its health reaches health(), stats and the
// metrics DB; a page wedged by the test-only "wedge" fault (heartbeats
// answered, every inference hung) is found by its canaries and recycled,
// and the requests that were stuck in it are answered elsewhere well
// before their deadlines.
#include <chrono>
#include <future>
#include <thread>

#include <doctest/doctest.h>

#include "actors/runtime.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/runtime_helpers.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tools/steady_load.hpp"
#include "transport/store/sqlite_db.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

/// One Chromium, faults on, a monitor that looks twice a second and runs a
/// canary every second.
runtime_config monitored_config() {
  auto cfg = default_config();
  cfg.browsers = {{"chromium", browser_config{}}};
  cfg.browsers_explicit = true;
  cfg.pool.idle_timeout_ms = 0;
  cfg.pool.restart.backoff_base_ms = 200;
  cfg.recovery.fault_injection = true;
  cfg.recovery.backoff_base_ms = 200;
  cfg.health.interval_ms = 500;
  cfg.health.canary_every_ms = 1000;
  cfg.health.canary_timeout_ms = 1000;
  cfg.health.canary_failures = 2;
  apply_environment(cfg);
  return cfg;
}

const canary_figures* canary_on(const browser_health_report& b,
                                const std::string& platform) {
  for (auto& c : b.canaries)
    if (c.platform == platform)
      return &c;
  return nullptr;
}

/// Waits (up to 60 s) until the browser with `pid` had a right canary on
/// wasm; returns its report.
browser_health_report wait_for_canary(runtime& rt, int32_t pid) {
  auto until = clock_type::now() + 60s;
  while (clock_type::now() < until) {
    for (auto& b : rt.health().browsers)
      if (b.pid == pid)
        if (auto c = canary_on(b, "wasm"); c && c->last_outcome == "ok")
          return b;
    std::this_thread::sleep_for(100ms);
  }
  FAIL("no canary ran on wasm within 60 s");
  return {};
}

} // namespace

TEST_CASE("the monitor runs canaries on each platform and reports every "
          "browser's health in health(), stats and the metrics DB") {
  leaves_nothing_behind census;
  {
    scratch_dir dir{"hrun"};
    auto db = dir.file("history.db");
    {
      auto cfg = monitored_config();
      cfg.metrics.db = db;
      cfg.metrics.flush_ms = 200;
      runtime rt{cfg};
      auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                                wasm_only());
      for (int i = 0; i < 20; ++i)
        model.infer(bert_sentence());
      auto pid = ready_browser_pid(rt);
      REQUIRE(pid != 0);
      auto b = wait_for_canary(rt, pid);
      // Samples come every 500 ms: wait for a few (the DB gets each), and
      // for one taken after the 20th request.
      for (int i = 0; i < 100; ++i) {
        auto report = rt.health();
        for (auto& x : report.browsers)
          if (x.pid == pid)
            b = x;
        if (report.samples >= 3 && b.requests >= 20)
          break;
        std::this_thread::sleep_for(100ms);
      }
      for (auto& why : b.reasons)
        MESSAGE("reason: " << why);
      CHECK(b.kind == "chromium");
      CHECK(b.score == 100);
      CHECK(b.reasons.empty());
      CHECK_FALSE(b.recycling);
      CHECK(b.requests == 20);
      CHECK(b.failures == 0);
      CHECK(b.latency_p50_ms > 0);
      CHECK(b.latency_p99_ms >= b.latency_p50_ms);
      CHECK(b.memory_bytes > 0);
      CHECK(b.heartbeat_ms > 0);
      // Every platform the page has gets its canary; the canary is none of
      // the host's requests, loads or models.
      auto caps = rt.connect_browser("chromium");
      for (auto name : {"webgpu", "webnn", "wasm"})
        CHECK_MESSAGE((canary_on(b, name) != nullptr)
                        == caps.platform(name)->available,
                      name);
      auto report = rt.health();
      CHECK(report.enabled);
      CHECK(report.canary_off.empty());
      CHECK(report.recycled == 0);
      CHECK(report.canaries >= 1);
      CHECK(report.canary_failures == 0);
      REQUIRE(report.platforms.size() == 1);
      CHECK(report.platforms[0].platform == "wasm");
      CHECK(report.platforms[0].requests == 20);
      auto stats = rt.stats();
      REQUIRE(stats.kinds.size() == 1);
      REQUIRE(stats.kinds[0].connections.size() == 1);
      auto& conn = stats.kinds[0].connections[0];
      CHECK(conn.health_score == 100);
      CHECK(conn.requests == 20);
      CHECK(conn.loaded_models.size() == 1); // tiny_bert, not the canary.
      auto metrics = rt.get_metrics();
      CHECK(metrics.loads.loads == 1);
      // A monitor that fails is started again by the root, and looks on.
      REQUIRE(rt.inject_fault(0, "kill-health"));
      for (int i = 0; i < 100 && rt.stats().health_restarts == 0; ++i)
        std::this_thread::sleep_for(50ms);
      CHECK(rt.stats().health_restarts == 1);
      for (int i = 0; i < 100 && rt.health().samples == 0; ++i)
        std::this_thread::sleep_for(100ms);
      CHECK(rt.health().samples > 0);
    }
    sqlite_db raw{db, false};
    CHECK(raw.query_int("SELECT count(*) FROM health_samples").value_or(0)
          >= 3);
    CHECK(raw.query_int("SELECT min(score) FROM health_samples").value_or(0)
          == 100);
  }
  census.check();
}

TEST_CASE("a wedged page is found by its canaries and recycled; its stuck "
          "requests are answered elsewhere before their deadlines") {
  leaves_nothing_behind census;
  {
    runtime rt{monitored_config()};
    auto model = rt.get_model(model_family::text_embedding, "tiny_bert",
                              wasm_only());
    model.infer(bert_sentence());
    auto pid = ready_browser_pid(rt);
    REQUIRE(pid != 0);
    wait_for_canary(rt, pid);
    constexpr uint32_t deadline_ms = 30000;
    auto wedged_at = clock_type::now();
    REQUIRE(rt.inject_fault(pid, "wedge"));
    std::vector<std::future<infer_result>> stuck;
    for (int i = 0; i < 4; ++i)
      stuck.push_back(std::async(std::launch::async, [&] {
        return model.infer(bert_sentence(deadline_ms));
      }));
    // The monitor recycles it: another browser takes its place.
    double recycled_after_s = 0;
    while (clock_type::now() - wedged_at < 30s) {
      auto now = ready_browser_pid(rt);
      if (rt.health().recycled == 1 && now != 0 && now != pid) {
        recycled_after_s
          = std::chrono::duration<double>(clock_type::now() - wedged_at)
              .count();
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    REQUIRE_MESSAGE(recycled_after_s > 0, "not recycled within 30 s");
    MESSAGE("wedged page recycled after " << recycled_after_s << " s");
    for (auto& f : stuck) {
      auto r = f.get(); // Throws if it failed.
      CHECK_FALSE(r.outputs.empty());
      auto answered_s
        = std::chrono::duration<double>(clock_type::now() - wedged_at).count();
      CHECK(answered_s < deadline_ms / 1000.0);
      INFO(r.origin.placement);
      CHECK(r.origin.placement.find("recycled by the health monitor")
            != std::string::npos);
    }
    // The new browser serves, and the pool counts the recycle.
    CHECK_FALSE(model.infer(bert_sentence()).outputs.empty());
    auto stats = rt.stats();
    REQUIRE(stats.kinds.size() == 1);
    CHECK(stats.kinds[0].retired["health"] == 1);
    CHECK(stats.kinds[0].failures == 0);
    auto report = rt.health();
    CHECK(report.recycled == 1);
    CHECK(report.canary_failures >= 2);
  }
  census.check();
}
