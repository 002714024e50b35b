// `webaccel bench serve`: what the HTTP front costs. tiny BERT on one
// browser, served in-process by the same api_server and routes as `webaccel
// serve`, driven by keep-alive clients over loopback: latency through HTTP
// against the embedded API, requests/s with 1, 16 and 64 clients, what
// /metrics scrapes cost under load, and what a dashboard snapshot costs.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct serve_bench_options {
  /// Sequential requests for the latency comparison.
  size_t requests = 500;
  /// Client counts for the throughput runs.
  std::vector<size_t> clients{1, 16, 64};
  /// Length of each throughput run.
  double seconds = 5;
  /// Scrapes per second in the /metrics runs, and rounds of runs without
  /// and with them.
  double scrapes_per_s = 10;
  size_t metrics_rounds = 3;
  std::function<void(const std::string&)> progress;
};

nlohmann::json run_serve_bench(const runtime_config& cfg,
                               const serve_bench_options& opts);

} // namespace webaccel
