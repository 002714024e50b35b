// The browser pool with real headless Chromium and Firefox: what they
// probe, what happens when one is killed or hangs, the restart intensity
// limit, idle close, recycling, and a WebDriver launch through
// chromedriver. Every case checks that no process and no profile directory
// is left behind. Timeouts are generous: a browser starts in 1-4 s.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include <doctest/doctest.h>

#include "actors/runtime.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/stall_server.hpp"
#include "transport/browser/process.hpp"
#include "transport/browser/process_memory.hpp"
#include "transport/net/http_client.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

/// The default config with one browser kind and a pool tuned for tests:
/// fast heartbeats and short backoffs.
runtime_config pool_config_for(const std::string& kind) {
  auto cfg = default_config();
  cfg.browsers = {{kind, browser_config{}}};
  cfg.browsers_explicit = true;
  cfg.default_preferences.browser = kind;
  cfg.pool.heartbeat_ms = 250;
  cfg.pool.heartbeat_timeout_ms = 10000;
  cfg.pool.idle_timeout_ms = 0;
  cfg.pool.restart.backoff_base_ms = 200;
  cfg.pool.restart.backoff_max_ms = 2000;
  return cfg;
}

const kind_stats* find_kind(const pool_stats& stats, const std::string& kind) {
  for (auto& k : stats.kinds)
    if (k.kind == kind)
      return &k;
  return nullptr;
}

/// Main pid of the first ready browser of `kind`, 0 if none.
pid_t ready_pid(const pool_stats& stats, const std::string& kind) {
  if (auto k = find_kind(stats, kind))
    for (auto& c : k->connections)
      if (c.state == "ready" && c.pid != 0)
        return c.pid;
  return 0;
}

std::string describe(const pool_stats& stats) {
  std::string out;
  for (auto& k : stats.kinds) {
    out += k.kind + ": launches " + std::to_string(k.launches) + ", failures "
           + std::to_string(k.failures) + ", restarts "
           + std::to_string(k.restarts) + ", escalations "
           + std::to_string(k.escalations) + ", restarting "
           + std::to_string(k.restarting) + ", disabled '" + k.disabled + "'";
    for (auto& [why, n] : k.retired)
      out += ", retired " + why + " " + std::to_string(n);
    for (auto& c : k.connections)
      out += "\n  pid " + std::to_string(c.pid) + " " + c.state + ", "
             + std::to_string(c.requests) + " requests, "
             + std::to_string(c.process_bytes >> 20) + " MiB";
    out += "\n";
  }
  return out;
}

/// Polls the pool until `done` holds (or fails the test after `limit`).
pool_stats wait_for(runtime& rt,
                    const std::function<bool(const pool_stats&)>& done,
                    std::chrono::milliseconds limit = 60s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto stats = rt.stats();
  while (!done(stats)) {
    if (std::chrono::steady_clock::now() > deadline) {
      FAIL("the pool did not get there in time:\n" << describe(stats));
      break;
    }
    std::this_thread::sleep_for(100ms);
    stats = rt.stats();
  }
  return stats;
}

/// One frame of silence through Silero VAD.
infer_result infer_silence(const model_handle& model) {
  return model.infer(
    {tensor::from_floats("input", {1, 576}, std::vector<float>(576)),
     tensor::from_floats("state", {2, 1, 128}, std::vector<float>(256)),
     tensor::from_int64s("sr", {}, {16000})});
}

} // namespace

TEST_CASE("Chromium and Firefox come up and probe what this machine has") {
  leaves_nothing_behind census;
  {
    auto cfg = default_config();
    cfg.browsers = {{"chromium", {}}, {"firefox", {}}};
    cfg.browsers_explicit = true;
    runtime rt{cfg};
    for (auto kind : {"chromium", "firefox"}) {
      CAPTURE(kind);
      REQUIRE_MESSAGE(rt.installed_browsers().count(kind) == 1,
                      rt.missing_browsers().at(kind));
      CHECK_FALSE(rt.installed_browsers().at(kind).version.empty());
      auto caps = rt.connect_browser(kind);
      CHECK(caps.browser == kind);
      CHECK(caps.browser_version == rt.installed_browsers().at(kind).version);
      CHECK(caps.wasm.available);
      CHECK(caps.wasm_simd);
      // No GPU here: WebGPU runs on a software adapter, and says so.
      CHECK(caps.webgpu.available);
      CHECK(caps.adapter.fallback);
      // WebNN: Chromium exposes the API but has no backend; Firefox has no API.
      CHECK_FALSE(caps.webnn.available);
      if (std::string{kind} == "chromium")
        CHECK(caps.webnn.reason.find("NotSupportedError") != std::string::npos);
      else
        CHECK(caps.webnn.reason == "navigator.ml is undefined");
    }
    auto stats = rt.stats();
    CHECK(stats.max_connections == 4);
    for (auto kind : {"chromium", "firefox"}) {
      CAPTURE(kind);
      auto k = find_kind(stats, kind);
      REQUIRE(k != nullptr);
      REQUIRE(k->connections.size() == 1);
      auto& c = k->connections.front();
      CHECK(c.state == "ready");
      CHECK(c.pid > 0);
      CHECK(c.cold_start_ms > 100);
      // A browser with a page takes well over 50 MiB.
      CHECK(c.process_bytes > (50u << 20));
    }
    SUBCASE("a warm browser is reused, not launched again") {
      rt.connect_browser("chromium");
      CHECK(find_kind(rt.stats(), "chromium")->launches == 1);
    }
  }
  census.check();
}

TEST_CASE("a browser killed with SIGKILL is restarted after a backoff, and its "
          "model carries on") {
  std::string kind;
  SUBCASE("chromium") {
    kind = "chromium";
  }
  SUBCASE("firefox") {
    kind = "firefox";
  }
  leaves_nothing_behind census;
  {
    runtime rt{pool_config_for(kind)};
    auto model = rt.get_model(model_family::audio, "silero_vad_v5");
    CHECK(infer_silence(model).origin.browser == kind);
    auto first = ready_pid(rt.stats(), kind);
    REQUIRE(first > 0);
    auto killed_at = std::chrono::steady_clock::now();
    REQUIRE(kill(first, SIGKILL) == 0);
    auto stats = wait_for(rt, [&](const pool_stats& s) {
      auto p = ready_pid(s, kind);
      return p != 0 && p != first;
    });
    auto k = find_kind(stats, kind);
    CHECK(k->failures == 1);
    CHECK(k->restarts == 1);
    // The first restart waits the base backoff (200 ms) plus jitter.
    CHECK(std::chrono::steady_clock::now() - killed_at >= 200ms);
    // The model loads itself into the new browser on its next request.
    auto r = infer_silence(model);
    CHECK(r.outputs.size() == 2);
    CHECK(r.origin.browser == kind);
    CHECK(find_kind(rt.stats(), kind)->failures == 1);
  }
  census.check();
}

TEST_CASE("too many restarts escalate to the pool supervisor, which gives up "
          "on the kind past its own limit") {
  leaves_nothing_behind census;
  {
    auto cfg = pool_config_for("chromium");
    cfg.browsers["chromium"].min_connections = 1;
    cfg.pool.restart.max_restarts = 1;
    cfg.pool.restart.window_ms = 120000;
    cfg.pool.restart.backoff_base_ms = 100;
    runtime rt{cfg};
    pid_t last = 0;
    auto kill_next = [&] {
      auto stats = wait_for(rt, [&](const pool_stats& s) {
        auto p = ready_pid(s, "chromium");
        return p != 0 && p != last;
      });
      last = ready_pid(stats, "chromium");
      REQUIRE(kill(last, SIGKILL) == 0);
    };
    // Kill 1 is restarted; kill 2 is one too many: escalation 1, and the
    // pool starts a fresh supervisor (which keeps its minimum of one).
    kill_next();
    kill_next();
    auto stats = wait_for(rt, [](const pool_stats& s) {
      auto k = find_kind(s, "chromium");
      return k && k->escalations == 1;
    });
    // Two more kills exhaust the fresh supervisor: escalation 2 is past the
    // pool's limit, and chromium is disabled.
    kill_next();
    kill_next();
    stats = wait_for(rt, [](const pool_stats& s) {
      auto k = find_kind(s, "chromium");
      return k && !k->disabled.empty();
    });
    auto k = find_kind(stats, "chromium");
    CHECK(k->escalations == 2);
    CHECK(k->disabled.find("chromium disabled") == 0);
    try {
      rt.connect_browser("chromium");
      FAIL("a disabled kind must not hand out browsers");
    } catch (const failure& f) {
      CHECK(f.code() == errc::browser_unavailable);
      CHECK(std::string{f.what()}.find("gave up 2 times") != std::string::npos);
    }
  }
  census.check();
}

TEST_CASE("idle browsers are closed, busy ones are recycled without failing "
          "a request") {
  leaves_nothing_behind census;
  {
    auto cfg = pool_config_for("chromium");
    SUBCASE("idle close; the model reloads on its next request") {
      cfg.pool.idle_timeout_ms = 1500;
      runtime rt{cfg};
      auto model = rt.get_model(model_family::audio, "silero_vad_v5");
      infer_silence(model);
      auto stats = wait_for(rt, [](const pool_stats& s) {
        auto k = find_kind(s, "chromium");
        return k && k->retired.count("idle") == 1 && k->connections.empty();
      });
      CHECK(find_kind(stats, "chromium")->failures == 0);
      CHECK(infer_silence(model).outputs.size() == 2);
      CHECK(find_kind(rt.stats(), "chromium")->launches == 2);
    }
    SUBCASE("recycling after N requests drains: every request is answered") {
      cfg.pool.recycle_after_requests = 50;
      runtime rt{cfg};
      auto model = rt.get_model(model_family::audio, "silero_vad_v5");
      auto first = ready_pid(rt.stats(), "chromium");
      size_t answered = 0;
      // Keep requests flowing while the pool notices, starts a second
      // browser, moves the model there and retires the first.
      auto deadline = std::chrono::steady_clock::now() + 60s;
      pool_stats stats;
      while (std::chrono::steady_clock::now() < deadline) {
        infer_silence(model); // Throws on any failure.
        ++answered;
        std::this_thread::sleep_for(5ms);
        if (answered % 20 == 0) {
          stats = rt.stats();
          auto k = find_kind(stats, "chromium");
          if (k->retired.count("requests") == 1
              && ready_pid(stats, "chromium") != first)
            break;
        }
      }
      auto k = find_kind(stats, "chromium");
      INFO(describe(stats));
      CHECK(k->retired.count("requests") == 1);
      CHECK(k->failures == 0);
      CHECK(ready_pid(stats, "chromium") != first);
      CHECK(answered > 50);
    }
    SUBCASE("a browser past its maximum lifetime is recycled, and its model "
            "moves") {
      cfg.pool.max_lifetime_ms = 4000;
      runtime rt{cfg};
      auto model = rt.get_model(model_family::audio, "silero_vad_v5");
      auto stats = wait_for(rt, [&](const pool_stats& s) {
        auto k = find_kind(s, "chromium");
        return k && k->retired.count("lifetime") >= 1;
      });
      CHECK(find_kind(stats, "chromium")->failures == 0);
      // The model runs on a browser started after the first: it moved there,
      // or (on a loaded machine, where its first browser may retire while
      // loading it) it loads there now.
      auto r = infer_silence(model);
      CHECK(r.outputs.size() == 2);
      wait_for(rt, [&](const pool_stats& s) {
        auto k = find_kind(s, "chromium");
        return k && k->launches >= 2 && ready_pid(s, "chromium") != 0;
      });
    }
    SUBCASE("a browser over its memory limit is recycled") {
      cfg.pool.memory_limits_mb["chromium"] = 1;
      runtime rt{cfg};
      rt.connect_browser("chromium");
      auto stats = wait_for(rt, [](const pool_stats& s) {
        auto k = find_kind(s, "chromium");
        return k && k->retired.count("memory") == 1;
      });
      CHECK(find_kind(stats, "chromium")->failures == 0);
    }
  }
  census.check();
}

TEST_CASE("a page whose JavaScript is stuck misses heartbeats and its browser "
          "is restarted") {
  leaves_nothing_behind census;
  {
    auto cfg = pool_config_for("chromium");
    cfg.pool.heartbeat_timeout_ms = 3000;
    runtime rt{cfg};
    rt.connect_browser("chromium");
    auto first = ready_pid(rt.stats(), "chromium");
    REQUIRE(first > 0);
    // Freeze the renderers (one of them runs our page): nothing closes,
    // nothing exits; only the missing pongs tell.
    size_t frozen = 0;
    for (auto pid : process_group_members(first))
      if (read_cmdline(pid).find("--type=renderer") != std::string::npos)
        frozen += kill(pid, SIGSTOP) == 0 ? 1 : 0;
    REQUIRE(frozen > 0);
    auto stats = wait_for(rt, [&](const pool_stats& s) {
      auto p = ready_pid(s, "chromium");
      return p != 0 && p != first;
    });
    auto k = find_kind(stats, "chromium");
    CHECK(k->failures == 1);
    CHECK(k->restarts == 1);
  }
  census.check();
}

TEST_CASE("a browser launched through W3C WebDriver (chromedriver) serves "
          "models like a local one") {
  auto driver_path = std::string{"/usr/bin/chromedriver"};
  if (access(driver_path.c_str(), X_OK) != 0) {
    FAIL("chromedriver is not installed (apt-get install chromium-driver)");
    return;
  }
  leaves_nothing_behind census;
  {
    std::string error;
    auto port = 9515 + static_cast<int>(getpid() % 1000);
    process_options opts;
    opts.executable = driver_path;
    opts.args = {"--port=" + std::to_string(port)};
    // chromedriver keeps its profiles (and its Chromium its own temporary
    // files) in TMPDIR: a folder of this test's, removed with it.
    opts.scratch_dir = make_scratch_dir("chromedriver-", error);
    REQUIRE_MESSAGE(!opts.scratch_dir.empty(), error);
    opts.env = {"TMPDIR=" + opts.scratch_dir};
    auto driver = process::start(opts, nullptr, error);
    REQUIRE_MESSAGE(driver, error);
    auto url = "http://127.0.0.1:" + std::to_string(port);
    auto peer = parse_http_url(url, error);
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
      auto reply = http_json_request(*peer, "GET", "/status", "", 1000ms,
                                     error);
      up = reply && reply->status == 200;
      if (!up)
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE_MESSAGE(up, "chromedriver did not come up: " << error);
    {
      auto cfg = pool_config_for("chromium");
      auto& bc = cfg.browsers["chromium"];
      bc.launcher.type = "webdriver";
      bc.launcher.webdriver_url = url;
      bc.executable = "/usr/lib/chromium/chromium";
      runtime rt{cfg};
      auto caps = rt.connect_browser("chromium");
      CHECK(caps.wasm.available);
      CHECK_FALSE(caps.browser_version.empty());
      auto model = rt.get_model(model_family::audio, "silero_vad_v5");
      auto r = infer_silence(model);
      CHECK(r.origin.browser == "chromium");
      CHECK(r.outputs.size() == 2);
      // Not a local process: no pid, and memory from the page only.
      auto stats = rt.stats();
      auto k = find_kind(stats, "chromium");
      REQUIRE(k->connections.size() == 1);
      CHECK(k->connections.front().pid == 0);
    }
    driver->stop();
  }
  census.check();
}

TEST_CASE("while two WebDriver launches hang on a remote end that stalls, a "
          "warm model keeps answering") {
  using clock_type = std::chrono::steady_clock;
  leaves_nothing_behind census;
  // The remote end holds each session request for 30 s, then hangs up.
  stall_server stalled{std::chrono::seconds{30}};
  {
    auto cfg = pool_config_for("chromium");
    auto& remote = cfg.browsers["edge"];
    remote.launcher.type = "webdriver";
    remote.launcher.webdriver_url = stalled.url();
    remote.min_connections = 2;
    remote.max_connections = 2;
    // Each page "fails to say hello" after 3 s: its connection is stopped,
    // and stopping waits for the session call that hangs.
    cfg.timeouts.launch_ms = 3000;
    runtime rt{cfg};
    auto model = rt.get_model(model_family::audio, "silero_vad_v5");
    infer_silence(model);
    size_t answered = 0;
    double slowest_ms = 0;
    auto until = clock_type::now() + std::chrono::seconds{12};
    while (clock_type::now() < until) {
      auto t0 = clock_type::now();
      CHECK(infer_silence(model).origin.browser == "chromium");
      slowest_ms = std::max(
        slowest_ms,
        std::chrono::duration<double, std::milli>(clock_type::now() - t0)
          .count());
      ++answered;
    }
    MESSAGE(answered << " answers in 12 s; slowest " << slowest_ms << " ms; "
                     << stalled.accepted() << " stalled session requests");
    // Both launches reached the remote end, and neither page came up: their
    // connections gave up after 3 s and are still stopping.
    CHECK(stalled.accepted() >= 2);
    auto stats = rt.stats();
    auto edge = find_kind(stats, "edge");
    REQUIRE(edge != nullptr);
    for (auto& c : edge->connections)
      CHECK(c.state != "ready");
    // Blocked workers would hold every request for the rest of the stall
    // (27 s); a generous bound that tells the two apart.
    CHECK(answered > 100);
    CHECK(slowest_ms < 10000);
  }
  census.check();
}
