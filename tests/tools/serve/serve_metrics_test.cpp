#include "tools/serve/serve_metrics.hpp"

#include <doctest/doctest.h>

#include "tools/serve/prometheus_text.hpp"

using namespace webaccel;

namespace {

bool has_line(const std::string& page, const std::string& line) {
  return page.find("\n" + line + "\n") != std::string::npos
         || page.compare(0, line.size() + 1, line + "\n") == 0;
}

} // namespace

TEST_CASE("prometheus_text writes families, escapes label values") {
  prometheus_text out;
  out.family("x_total", "counter", "Things\\counted.\nTwo lines.");
  out.sample({{"model", "a\"b\\c\nd"}}, 3);
  out.sample({}, 0.25);
  out.sample(1e20);
  CHECK(out.str()
        == "# HELP x_total Things\\\\counted.\\nTwo lines.\n"
           "# TYPE x_total counter\n"
           "x_total{model=\"a\\\"b\\\\c\\nd\"} 3\n"
           "x_total 0.25\n"
           "x_total 1e+20\n");
}

TEST_CASE("a histogram's buckets are cumulative, from 0.1 ms to 10 s and "
          "+Inf, with its sum and count") {
  duration_histogram h;
  h.observe(0.00005); // below the first bound
  h.observe(0.0001);  // on it: "le" is at or below
  h.observe(0.003);
  h.observe(42); // above every bound
  prometheus_text out;
  out.family("d_seconds", "histogram", "Durations.");
  out.histogram({{"model", "m"}}, h);
  auto& page = out.str();
  CHECK(page.rfind("# HELP d_seconds Durations.\n# TYPE d_seconds "
                   "histogram\n",
                   0)
        == 0);
  CHECK(has_line(page, R"(d_seconds_bucket{model="m",le="0.0001"} 2)"));
  CHECK(has_line(page, R"(d_seconds_bucket{model="m",le="0.0025"} 2)"));
  CHECK(has_line(page, R"(d_seconds_bucket{model="m",le="0.005"} 3)"));
  CHECK(has_line(page, R"(d_seconds_bucket{model="m",le="10"} 3)"));
  CHECK(has_line(page, R"(d_seconds_bucket{model="m",le="+Inf"} 4)"));
  CHECK(has_line(page, R"(d_seconds_count{model="m"} 4)"));
  CHECK(page.find("d_seconds_sum{model=\"m\"} 42.0031") != std::string::npos);
}

TEST_CASE("the metrics page has Triton's figures per model and the pool") {
  served_figures bert;
  bert.name = "tiny_bert";
  bert.success = 10;
  bert.failures = {{"timeout", 2}, {"overloaded", 1}};
  bert.failure = 3;
  bert.success_ms = 1500;
  bert.queue_ms = 250;
  bert.compute_ms = 500;
  bert.inferences = 10;
  bert.executions = 4.0;
  bert.pending = 2;
  pool_stats pool;
  pool.max_connections = 4;
  kind_stats chromium;
  chromium.kind = "chromium";
  chromium.launches = 3;
  chromium.restarts = 1;
  chromium.restarting = 1;
  chromium.retired = {{"health", 1}};
  connection_stats c;
  c.pid = 42;
  c.state = "ready";
  c.process_bytes = 300u << 20;
  c.health_score = 85;
  c.heartbeat_ms = 12;
  c.breaker = breaker_state::half_open;
  chromium.connections.push_back(c);
  pool.kinds.push_back(chromium);
  pool.models.hits = 7;
  pool.models.misses = 2;
  pool.recovery.failures = {{"crash", 2}};
  pool.recovery.recovered = 2;
  pool.recovery.time_to_recover["crash"].count = 2;
  pool.health_restarts = 1;
  node_stats n1;
  n1.name = "n1";
  n1.state = "joined";
  n1.rejoins = 1;
  kind_stats firefox;
  firefox.kind = "firefox";
  firefox.launches = 2;
  connection_stats theirs;
  theirs.pid = 7;
  theirs.state = "ready";
  theirs.health_score = 90;
  firefox.connections.push_back(theirs);
  n1.kinds.push_back(firefox);
  pool.nodes.push_back(n1);
  node_stats n2;
  n2.name = "n2";
  n2.state = "lost";
  pool.nodes.push_back(n2);
  auto page = metrics_page({bert}, pool);
  CAPTURE(page);
  for (
    auto line : {
      "# TYPE webaccel_inference_request_success_total counter",
      "webaccel_inference_request_success_total{model=\"tiny_bert\","
      "version=\"1\"} 10",
      "webaccel_inference_request_failure_total{model=\"tiny_bert\","
      "version=\"1\",reason=\"timeout\"} 2",
      "webaccel_inference_request_failure_total{model=\"tiny_bert\","
      "version=\"1\",reason=\"overloaded\"} 1",
      "webaccel_inference_count_total{model=\"tiny_bert\",version=\"1\"} 10",
      "webaccel_inference_exec_count_total{model=\"tiny_bert\","
      "version=\"1\"} 4",
      "webaccel_inference_request_duration_seconds_total{model="
      "\"tiny_bert\",version=\"1\"} 1.5",
      "webaccel_inference_queue_duration_seconds_total{model=\"tiny_bert\","
      "version=\"1\"} 0.25",
      "webaccel_inference_compute_infer_duration_seconds_total{model="
      "\"tiny_bert\",version=\"1\"} 0.5",
      "# TYPE webaccel_inference_pending_requests gauge",
      "webaccel_inference_pending_requests{model=\"tiny_bert\","
      "version=\"1\"} 2",
      "webaccel_browsers{node=\"local\",kind=\"chromium\",state=\"ready\"} 1",
      "webaccel_browsers{node=\"local\",kind=\"chromium\",state=\"restarting\"} 1",
      "webaccel_browsers_max 4",
      "webaccel_browser_launches_total{node=\"local\",kind=\"chromium\"} 3",
      "webaccel_browser_restarts_total{node=\"local\",kind=\"chromium\"} 1",
      "webaccel_browsers_retired_total{node=\"local\",kind=\"chromium\",reason=\"health\"} "
      "1",
      "webaccel_browser_memory_bytes{node=\"local\",kind=\"chromium\",pid=\"42\"} "
      "314572800",
      "webaccel_browser_health_score{node=\"local\",kind=\"chromium\",pid=\"42\"} 85",
      "webaccel_browser_heartbeat_seconds{node=\"local\",kind=\"chromium\",pid=\"42\"} "
      "0.012",
      "webaccel_browser_breaker_open{node=\"local\",kind=\"chromium\",pid=\"42\"} 1",
      "webaccel_browsers{node=\"n1\",kind=\"firefox\",state=\"ready\"} 1",
      "webaccel_browser_launches_total{node=\"n1\",kind=\"firefox\"} 2",
      "webaccel_browser_health_score{node=\"n1\",kind=\"firefox\","
      "pid=\"7\"} 90",
      "# TYPE webaccel_node_up gauge",
      "webaccel_node_up{node=\"n1\"} 1",
      "webaccel_node_up{node=\"n2\"} 0",
      "webaccel_node_joins_total{node=\"n1\"} 2",
      "webaccel_actor_restarts_total{actor=\"health\"} 1",
      "webaccel_recovery_failures_total{category=\"crash\"} 2",
      "webaccel_recoveries_total{outcome=\"recovered\"} 2",
      "webaccel_recovered_total{category=\"crash\"} 2",
      "webaccel_cache_hits_total 7",
      "webaccel_cache_misses_total 2",
    }) {
    CAPTURE(line);
    CHECK(has_line(page, line));
  }
}
