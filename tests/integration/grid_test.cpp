// A browser pool on a real Selenium Grid 4 (a hub and a node on loopback,
// Chromium through chromedriver): sessions are made through the hub and
// carry their owner; a browser killed behind the Grid is recovered from the
// bridge closing, every request answered exactly once; sessions end on
// every path, and those a killed runtime left are found and ended by the
// next one.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include "actors/runtime.hpp"
#include "tests/support/cli_child.hpp"
#include "tests/support/config_document.hpp"
#include "tests/support/process_census.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/selenium_grid.hpp"
#include "tests/support/serve_child.hpp"
#include "transport/browser/grid_sweep.hpp"

using namespace webaccel;
using namespace webaccel::test;
using namespace std::chrono_literals;

namespace {

void use_grid(browser_config& bc, const std::string& url) {
  bc.launcher.type = "webdriver";
  bc.launcher.webdriver_url = url;
  bc.executable = "/usr/lib/chromium/chromium";
}

runtime_config grid_config(const std::string& url) {
  auto cfg = default_config();
  cfg.browsers = {{"chromium", browser_config{}}};
  cfg.browsers_explicit = true;
  use_grid(cfg.browsers["chromium"], url);
  cfg.default_preferences.browser = "chromium";
  cfg.pool.heartbeat_ms = 250;
  cfg.pool.idle_timeout_ms = 0;
  cfg.pool.restart.backoff_base_ms = 200;
  return cfg;
}

infer_request text(const std::string& s) {
  infer_request req;
  req.raw.push_back(raw_input::text(s));
  return req;
}

/// The sessions on the Grid, waiting up to a minute for there to be `n`.
std::vector<grid_session> sessions_when(const selenium_grid& grid, size_t n) {
  std::vector<grid_session> out;
  auto until = std::chrono::steady_clock::now() + 60s;
  do {
    if (auto st = grid.status())
      out = st->sessions;
    if (out.size() == n)
      break;
    std::this_thread::sleep_for(250ms);
  } while (std::chrono::steady_clock::now() < until);
  return out;
}

/// The pid chromedriver reports for a session's browser (the Grid's
/// "goog:processID"); 0 if none. Only a test on this machine may use it:
/// the pool works from bridge closes and heartbeats.
pid_t browser_pid(const selenium_grid& grid) {
  std::string error;
  auto peer = parse_http_url(grid.url(), error);
  auto reply = http_json_request(*peer, "GET", "/status", "", 10s, error);
  REQUIRE(reply);
  auto doc = nlohmann::json::parse(reply->body);
  for (auto& node : doc["value"]["nodes"])
    for (auto& slot : node["slots"])
      if (slot["session"].is_object())
        return slot["session"]["capabilities"].value("goog:processID", 0);
  return 0;
}

/// The default config as a file, its browsers on the Grid.
std::string grid_config_file(const scratch_dir& dir, const std::string& url) {
  auto doc = default_config_document();
  doc["browsers"]
    = {{"chromium",
        {{"executable", "/usr/lib/chromium/chromium"},
         {"launcher", {{"type", "webdriver"}, {"webdriver_url", url}}}}}};
  doc["default_preferences"] = {{"browser", "chromium"}};
  auto path = dir.file("grid.json");
  std::ofstream{path} << doc.dump(2);
  return path;
}

} // namespace

TEST_CASE("a pool on a Selenium Grid: sessions through the hub, a browser "
          "killed behind it recovered, every request answered once") {
  leaves_nothing_behind census;
  {
    selenium_grid grid;
    {
      runtime rt{grid_config(grid.url())};
      auto bert = rt.get_model(model_family::text_embedding, "tiny_bert");
      auto first = bert.infer(text("through the grid"));
      CHECK(first.origin.browser == "chromium");
      auto sessions = sessions_when(grid, 1);
      REQUIRE(sessions.size() == 1);
      REQUIRE(sessions[0].owner);
      CHECK(sessions[0].owner->pid == this_process_owner().pid);
      CHECK(sessions[0].owner->host == this_process_owner().host);
      // kill -9 of the browser, with requests in flight.
      auto pid = browser_pid(grid);
      REQUIRE(pid > 0);
      const int n = 24;
      std::atomic<int> answers[n] = {};
      std::atomic<int> done{0}, failed{0};
      std::promise<void> all;
      for (int i = 0; i < n; ++i) {
        bert.infer_async(text("request " + std::to_string(i)),
                         [&, i](infer_result* r, const failure* f) {
                           answers[i]++;
                           if (r == nullptr) {
                             failed++;
                             MESSAGE("request " << i << ": " << f->what());
                           }
                           if (++done == n)
                             all.set_value();
                         });
        if (i == n / 2)
          REQUIRE(kill(pid, SIGKILL) == 0);
      }
      REQUIRE(all.get_future().wait_for(180s) == std::future_status::ready);
      for (int i = 0; i < n; ++i)
        CHECK(answers[i] == 1);
      CHECK(failed == 0);
      CHECK(bert.infer(text("after the kill")).origin.browser == "chromium");
      // The dead browser's session was ended. Recovery may have started
      // more than one browser under the load: every session left is ours,
      // one per browser of the pool.
      auto killed = sessions[0].id;
      auto until = std::chrono::steady_clock::now() + 150s;
      bool ended = false;
      while (!ended && std::chrono::steady_clock::now() < until) {
        auto st = grid.status();
        ended = st
                && std::none_of(st->sessions.begin(), st->sessions.end(),
                                [&](auto& x) { return x.id == killed; });
        if (!ended)
          std::this_thread::sleep_for(250ms);
      }
      CHECK(ended);
      auto stats = rt.stats();
      REQUIRE(stats.kinds.size() == 1);
      sessions = sessions_when(grid, stats.kinds[0].connections.size());
      CHECK(sessions.size() == stats.kinds[0].connections.size());
      for (auto& x : sessions) {
        REQUIRE(x.owner);
        CHECK(x.owner->pid == this_process_owner().pid);
      }
      rt.shutdown();
      CHECK(sessions_when(grid, 0).empty());
    }
  }
  census.check();
}

TEST_CASE("a Grid that ends idle sessions keeps a busy browser's: one "
          "session, no restart, through three times its timeout") {
  // The node ends a session that had no WebDriver command for 20 s (its
  // check runs every 30 s); the page's own traffic is no command. Without
  // the keepalive, the browser was killed and restarted within a minute.
  constexpr int grid_timeout_s = 20;
  leaves_nothing_behind census;
  {
    selenium_grid grid{grid_timeout_s};
    auto cfg = grid_config(grid.url());
    cfg.browsers["chromium"].launcher.keepalive_ms = 5000;
    runtime rt{cfg};
    auto bert = rt.get_model(model_family::text_embedding, "tiny_bert");
    bert.infer(text("first"));
    auto sessions = sessions_when(grid, 1);
    REQUIRE(sessions.size() == 1);
    auto id = sessions[0].id;
    // Steady load, one request at a time, for three timeouts and one more
    // check of the node's; the Grid's sessions are read every 5 s.
    auto start = std::chrono::steady_clock::now();
    auto until = start + std::chrono::seconds{3 * grid_timeout_s + 30};
    auto next_look = start;
    std::string seen;
    std::set<std::string> ids;
    int answered = 0, failed = 0;
    while (std::chrono::steady_clock::now() < until) {
      try {
        bert.infer(text("steady " + std::to_string(answered)));
        ++answered;
      } catch (const failure& f) {
        ++failed;
        MESSAGE("request " << answered << ": " << f.what());
      }
      if (std::chrono::steady_clock::now() < next_look)
        continue;
      next_look += 5s;
      auto at = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
      std::string now_ids;
      if (auto st = grid.status())
        for (auto& x : st->sessions) {
          ids.insert(x.id);
          now_ids += (now_ids.empty() ? "" : ",") + x.id.substr(0, 8);
        }
      seen += " " + std::to_string(at) + "s:" + now_ids;
    }
    MESSAGE("Grid sessions over time (" << answered << " requests):" << seen);
    CHECK(failed == 0);
    CHECK(answered > 100);
    CHECK(ids == std::set<std::string>{id});
    auto stats = rt.stats();
    REQUIRE(stats.kinds.size() == 1);
    CHECK(stats.kinds[0].launches == 1);
    CHECK(stats.kinds[0].failures == 0);
    CHECK(stats.kinds[0].restarts == 0);
    rt.shutdown();
    CHECK(sessions_when(grid, 0).empty());
  }
  census.check();
}

TEST_CASE("sessions a killed runtime left on the Grid are ended by the next "
          "one") {
  leaves_nothing_behind census;
  {
    selenium_grid grid;
    scratch_dir dir{"orphan"};
    auto config = grid_config_file(dir, grid.url());
    auto log = dir.file("serve.log");
    auto serve = start_cli({"serve", "--config", config, "--port", "0",
                            "--model", "tiny_bert"},
                           log, dir.path().string());
    wait_until_ready(log);
    auto left = sessions_when(grid, 1);
    REQUIRE(left.size() == 1);
    REQUIRE(left[0].owner);
    CHECK(left[0].owner->pid == serve->pid());
    // kill -9: the daemon cannot end its session; the Grid keeps it.
    serve->stop();
    CHECK(sessions_when(grid, 1).size() == 1);
    {
      runtime rt{grid_config(grid.url())};
      rt.connect_browser("chromium");
      auto now = sessions_when(grid, 1);
      REQUIRE(now.size() == 1);
      CHECK(now[0].id != left[0].id);
      REQUIRE(now[0].owner);
      CHECK(now[0].owner->pid == this_process_owner().pid);
    }
    CHECK(sessions_when(grid, 0).empty());
  }
  census.check();
}

TEST_CASE("a remote end that is down, or a Grid without the browser, is a "
          "typed browser_unavailable error, at once") {
  leaves_nothing_behind census;
  {
    auto down = "http://127.0.0.1:" + std::to_string(free_loopback_port());
    runtime rt{grid_config(down)};
    auto t0 = std::chrono::steady_clock::now();
    try {
      rt.connect_browser("chromium");
      FAIL("a launch through a remote end that is down succeeded");
    } catch (const failure& f) {
      CHECK(f.code() == errc::browser_unavailable);
      CHECK(std::string{f.what()}.find("is down") != std::string::npos);
    }
    // Not a session request that waits for its timeout (120 s).
    CHECK(std::chrono::steady_clock::now() - t0 < 30s);
  }
  census.check();
}
