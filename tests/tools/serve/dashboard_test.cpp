#include "tools/serve/dashboard_events.hpp"
#include "tools/serve/dashboard_feed.hpp"

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

pool_stats pool_with(uint64_t launches, uint64_t failures,
                     uint64_t retired_health) {
  pool_stats p;
  kind_stats k;
  k.kind = "chromium";
  k.launches = launches;
  k.failures = failures;
  if (retired_health > 0)
    k.retired["health"] = retired_health;
  p.kinds.push_back(k);
  return p;
}

} // namespace

TEST_CASE("dashboard events are what changed between two snapshots") {
  dashboard_events ev{3};
  ev.update(pool_with(1, 0, 0), 1000);
  CHECK(ev.recent().empty()); // The first snapshot is the baseline.
  ev.update(pool_with(1, 0, 0), 2000);
  CHECK(ev.recent().empty());
  auto p = pool_with(3, 1, 1);
  p.recovery.failures["browser_crash"] = 1;
  p.recovery.recovered = 1;
  p.health_restarts = 1;
  ev.update(p, 3000);
  // Six changes, the last three kept, newest last.
  REQUIRE(ev.recent().size() == 3);
  CHECK(ev.recent()[0].text == "browser_crash failure");
  CHECK(ev.recent()[1].text == "recovered: the model runs again");
  CHECK(ev.recent()[2].kind == "runtime");
  CHECK(ev.recent()[2].text == "health monitor started again");
  CHECK(ev.recent()[2].at_ms == 3000);
  dashboard_events all;
  all.update(pool_with(1, 0, 0), 0);
  all.update(pool_with(3, 1, 1), 1);
  REQUIRE(all.recent().size() == 3);
  CHECK(all.recent()[0].text == "chromium: browser launched (2x)");
  CHECK(all.recent()[1].text == "chromium: browser failed");
  CHECK(all.recent()[2].text == "chromium: browser retired (health)");
}

TEST_CASE("a dashboard snapshot joins stats, health and the served models") {
  served_figures bert;
  bert.name = "tiny_bert";
  bert.success = 4;
  bert.failure = 1;
  bert.pending = 2;
  bert.success_ms = 40;
  auto pool = pool_with(1, 0, 0);
  connection_stats c;
  c.pid = 7;
  c.state = "ready";
  c.health_score = 90;
  c.loaded_models = {"tiny_bert"};
  pool.kinds[0].connections.push_back(c);
  health_report health;
  browser_health_report h;
  h.pid = 7;
  h.latency_p99_ms = 12.5;
  h.reasons = {"slow heartbeat"};
  health.browsers.push_back(h);
  health.platforms.push_back({"wasm", 5, 1, 3, 12.5});
  dashboard_events ev;
  auto snap = dashboard_snapshot(
    {bert}, {{"tiny_bert", served_state::ready, ""}}, pool, health, ev, 99);
  CHECK(snap["at_ms"] == 99);
  CHECK(snap["totals"]["requests"] == 5);
  CHECK(snap["totals"]["failures"] == 1);
  CHECK(snap["totals"]["pending"] == 2);
  CHECK(snap["models"][0]["state"] == "READY");
  CHECK(snap["models"][0]["mean_ms"] == 10.0);
  CHECK(snap["browsers"][0]["pid"] == 7);
  CHECK(snap["browsers"][0]["latency_p99_ms"] == 12.5);
  CHECK(snap["browsers"][0]["reasons"][0] == "slow heartbeat");
  CHECK(snap["platforms"][0]["platform"] == "wasm");
  CHECK(snap["events"].empty());
  CHECK(snap["nodes"].empty());
}

TEST_CASE("a head's dashboard shows its nodes, their browsers (health matched "
          "by node and pid) and when they joined or were lost") {
  auto pool = pool_with(1, 0, 0);
  connection_stats mine;
  mine.pid = 7;
  pool.kinds[0].connections.push_back(mine);
  node_stats n1;
  n1.name = "n1";
  n1.address = "box-1";
  n1.state = "joined";
  n1.epoch = 1;
  kind_stats k;
  k.kind = "chromium";
  connection_stats theirs;
  theirs.pid = 7; // Another machine: the same pid is another browser.
  k.connections.push_back(theirs);
  n1.kinds.push_back(k);
  pool.nodes.push_back(n1);
  health_report health;
  browser_health_report h;
  h.node = "n1";
  h.pid = 7;
  h.reasons = {"memory grows"};
  health.browsers.push_back(h);
  dashboard_events ev;
  auto snap = dashboard_snapshot({}, {}, pool, health, ev, 1);
  REQUIRE(snap["browsers"].size() == 2);
  CHECK(snap["browsers"][0]["node"] == "local");
  CHECK_FALSE(snap["browsers"][0].contains("reasons"));
  CHECK(snap["browsers"][1]["node"] == "n1");
  CHECK(snap["browsers"][1]["reasons"][0] == "memory grows");
  REQUIRE(snap["nodes"].size() == 1);
  CHECK(snap["nodes"][0]["name"] == "n1");
  CHECK(snap["nodes"][0]["address"] == "box-1");
  CHECK(snap["nodes"][0]["browsers"] == 1);
  ev.update(pool_with(1, 0, 0), 0);
  ev.update(pool, 1);
  auto lost = pool;
  lost.nodes[0].state = "lost";
  lost.nodes[0].lost_reason = "its link ended";
  lost.nodes[0].kinds.clear();
  ev.update(lost, 2);
  auto back = pool;
  back.nodes[0].epoch = 2;
  back.nodes[0].rejoins = 1;
  ev.update(back, 3);
  REQUIRE(ev.recent().size() == 3);
  CHECK(ev.recent()[0].kind == "node");
  CHECK(ev.recent()[0].text == "node n1 joined");
  CHECK(ev.recent()[1].text == "node n1 lost: its link ended");
  CHECK(ev.recent()[2].text == "node n1 joined again");
}
