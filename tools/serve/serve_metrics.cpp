#include "tools/serve/serve_metrics.hpp"

#include <functional>
#include <map>

#include "config/thread_barrier.hpp"
#include "tools/serve/prometheus_text.hpp"

namespace webaccel {

namespace {

using model_value = std::function<double(const served_figures&)>;

void per_model(prometheus_text& out, const std::vector<served_figures>& models,
               const std::string& name, const char* type,
               const std::string& help, const model_value& value) {
  out.family(name, type, help);
  for (auto& m : models)
    out.sample({{"model", m.name}, {"version", "1"}}, value(m));
}

void model_families(prometheus_text& out,
                    const std::vector<served_figures>& models) {
  per_model(out, models, "webaccel_inference_request_success_total", "counter",
            "Successful inference requests.",
            [](auto& m) { return double(m.success); });
  out.family("webaccel_inference_request_failure_total", "counter",
             "Failed inference requests, by error category.");
  for (auto& m : models)
    for (auto& [reason, n] : m.failures)
      out.sample({{"model", m.name}, {"version", "1"}, {"reason", reason}},
                 double(n));
  per_model(out, models, "webaccel_inference_count_total", "counter",
            "Inferences performed (a batch of n counts n).",
            [](auto& m) { return double(m.inferences); });
  per_model(out, models, "webaccel_inference_exec_count_total", "counter",
            "Model executions (a batch counts once).",
            [](auto& m) { return double(uint64_t(m.executions + 0.5)); });
  per_model(out, models, "webaccel_inference_request_duration_seconds_total",
            "counter",
            "Cumulative time from a request's arrival to its answer, "
            "successful requests.",
            [](auto& m) { return m.success_ms / 1000; });
  per_model(out, models, "webaccel_inference_queue_duration_seconds_total",
            "counter",
            "Cumulative time successful requests waited in the runtime's "
            "queues.",
            [](auto& m) { return m.queue_ms / 1000; });
  per_model(out, models,
            "webaccel_inference_compute_infer_duration_seconds_total",
            "counter",
            "Cumulative time the browsers' pages computed successful "
            "requests.",
            [](auto& m) { return m.compute_ms / 1000; });
  // Histograms, for histogram_quantile() (the counters above give means).
  auto histogram = [&](const std::string& name, const std::string& help,
                       duration_histogram served_figures::*h) {
    out.family(name, "histogram", help);
    for (auto& m : models)
      out.histogram({{"model", m.name}, {"version", "1"}}, m.*h);
  };
  histogram("webaccel_inference_request_duration_seconds",
            "Time from a successful request's arrival to its answer.",
            &served_figures::request_seconds);
  histogram("webaccel_inference_queue_duration_seconds",
            "Time a successful request waited in the runtime's queues.",
            &served_figures::queue_seconds);
  histogram("webaccel_inference_compute_infer_duration_seconds",
            "Time a browser's page computed a successful request.",
            &served_figures::compute_seconds);
  per_model(out, models, "webaccel_inference_pending_requests", "gauge",
            "Requests sent to the runtime and not answered yet.",
            [](auto& m) { return double(m.pending); });
}

/// Every browser kind of the pool and of its nodes, with the node's name
/// ("local" for the runtime's own).
void each_kind(const pool_stats& pool,
               const std::function<void(const std::string& node,
                                        const kind_stats&)>& visit) {
  for (auto& k : pool.kinds)
    visit("local", k);
  for (auto& n : pool.nodes)
    for (auto& k : n.kinds)
      visit(n.name, k);
}

using kind_value = std::function<double(const kind_stats&)>;

void per_kind(prometheus_text& out, const pool_stats& pool,
              const std::string& name, const std::string& help,
              const kind_value& value) {
  out.family(name, "counter", help);
  each_kind(pool, [&](const std::string& node, const kind_stats& k) {
    out.sample({{"node", node}, {"kind", k.kind}}, value(k));
  });
}

using browser_value = std::function<double(const connection_stats&)>;

void per_browser(prometheus_text& out, const pool_stats& pool,
                 const std::string& name, const std::string& help,
                 const browser_value& value) {
  out.family(name, "gauge", help);
  each_kind(pool, [&](const std::string& node, const kind_stats& k) {
    for (auto& c : k.connections)
      out.sample(
        {{"node", node}, {"kind", k.kind}, {"pid", std::to_string(c.pid)}},
        value(c));
  });
}

void node_families(prometheus_text& out, const pool_stats& pool) {
  out.family("webaccel_node_up", "gauge",
             "1 while a webaccel node is joined to this head, 0 once lost.");
  for (auto& n : pool.nodes)
    out.sample({{"node", n.name}}, n.state == "joined" ? 1.0 : 0.0);
  out.family("webaccel_node_joins_total", "counter",
             "Times a webaccel node joined this head.");
  for (auto& n : pool.nodes)
    out.sample({{"node", n.name}}, double(n.rejoins + 1));
}

void pool_families(prometheus_text& out, const pool_stats& pool) {
  out.family("webaccel_browsers", "gauge", "Browsers, by kind and state.");
  each_kind(pool, [&](const std::string& node, const kind_stats& k) {
    std::map<std::string, uint64_t> states{{"ready", 0}, {"restarting", 0}};
    for (auto& c : k.connections)
      states[c.state]++;
    states["restarting"] += k.restarting;
    for (auto& [state, n] : states)
      out.sample({{"node", node}, {"kind", k.kind}, {"state", state}},
                 double(n));
  });
  out.family("webaccel_browsers_max", "gauge",
             "The most browsers the pool runs at once.");
  out.sample(pool.max_connections);
  per_kind(out, pool, "webaccel_browser_launches_total", "Browsers launched.",
           [](auto& k) { return double(k.launches); });
  per_kind(out, pool, "webaccel_browser_failures_total",
           "Browsers that failed (crashed, hung, closed).",
           [](auto& k) { return double(k.failures); });
  per_kind(out, pool, "webaccel_browser_restarts_total",
           "Browsers started again by their supervisor.",
           [](auto& k) { return double(k.restarts); });
  out.family("webaccel_browsers_retired_total", "counter",
             "Browsers retired on purpose, by reason (idle, recycled, "
             "health).");
  each_kind(pool, [&](const std::string& node, const kind_stats& k) {
    for (auto& [reason, n] : k.retired)
      out.sample({{"node", node}, {"kind", k.kind}, {"reason", reason}},
                 double(n));
  });
  per_browser(out, pool, "webaccel_browser_memory_bytes",
              "A browser's memory (proportional set size of its processes).",
              [](auto& c) { return double(c.process_bytes); });
  per_browser(out, pool, "webaccel_browser_js_heap_bytes",
              "A browser page's JavaScript heap.",
              [](auto& c) { return double(c.page_heap_bytes); });
  per_browser(out, pool, "webaccel_browser_health_score",
              "A browser's health score, 0 to 100.",
              [](auto& c) { return c.health_score; });
  per_browser(out, pool, "webaccel_browser_heartbeat_seconds",
              "A browser page's last heartbeat round trip.",
              [](auto& c) { return c.heartbeat_ms / 1000; });
  per_browser(out, pool, "webaccel_browser_in_flight_requests",
              "Requests a browser's page is running.",
              [](auto& c) { return double(c.in_flight); });
  per_browser(out, pool, "webaccel_browser_breaker_open",
              "1 while a browser's circuit breaker is open or half open.",
              [](auto& c) {
                return c.breaker == breaker_state::closed ? 0.0 : 1.0;
              });
  out.family("webaccel_actor_restarts_total", "counter",
             "The runtime's own actors started again after they died.");
  out.sample({{"actor", "router"}}, double(pool.router_restarts));
  out.sample({{"actor", "recovery"}}, double(pool.recovery_restarts));
  out.sample({{"actor", "metrics"}}, double(pool.metrics_restarts));
  out.sample({{"actor", "health"}}, double(pool.health_restarts));
  out.family("webaccel_thread_exceptions_total", "counter",
             "Exceptions the thread barrier caught, by the kind of thread "
             "(each failed only its own piece of work).");
  for (auto kind : all_thread_kinds)
    out.sample({{"thread", to_string(kind)}}, double(caught_exceptions(kind)));
}

void recovery_families(prometheus_text& out, const recovery_stats& r) {
  out.family("webaccel_recovery_failures_total", "counter",
             "Failures that recovery handled, by error category.");
  for (auto& [category, n] : r.failures)
    out.sample({{"category", category}}, double(n));
  out.family("webaccel_recoveries_total", "counter",
             "Recovery cases, by outcome (recovered, exhausted: the requests "
             "got the error, abandoned: the model was shut down).");
  out.sample({{"outcome", "recovered"}}, double(r.recovered));
  out.sample({{"outcome", "exhausted"}}, double(r.exhausted));
  out.sample({{"outcome", "abandoned"}}, double(r.abandoned));
  out.family("webaccel_recovered_total", "counter",
             "Recovery cases that ended with the model running again, by the "
             "category that opened them.");
  for (auto& [category, t] : r.time_to_recover)
    out.sample({{"category", category}}, double(t.count));
  out.family("webaccel_recovery_strategy_total", "counter",
             "Recovery strategies tried, by strategy and outcome.");
  for (auto& [strategy, o] : r.strategies) {
    out.sample({{"strategy", strategy}, {"outcome", "succeeded"}},
               double(o.succeeded));
    out.sample({{"strategy", strategy}, {"outcome", "failed"}},
               double(o.failed));
    out.sample({{"strategy", strategy}, {"outcome", "skipped"}},
               double(o.skipped));
  }
}

void cache_families(prometheus_text& out, const model_cache_stats& m) {
  out.family("webaccel_cache_hits_total", "counter",
             "Model requests answered from the instance cache.");
  out.sample(double(m.hits));
  out.family("webaccel_cache_misses_total", "counter",
             "Model requests that placed and loaded a new instance.");
  out.sample(double(m.misses));
  out.family("webaccel_model_instances", "gauge", "Model instances loaded.");
  out.sample(m.instances);
}

} // namespace

std::string metrics_page(const std::vector<served_figures>& models,
                         const pool_stats& pool) {
  prometheus_text out;
  model_families(out, models);
  pool_families(out, pool);
  node_families(out, pool);
  recovery_families(out, pool.recovery);
  cache_families(out, pool.models);
  return out.str();
}

} // namespace webaccel
