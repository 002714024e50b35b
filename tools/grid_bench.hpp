// `webaccel bench grid --grid URL`: what a Selenium Grid costs. Session
// creation through the Grid (POST /session with the pool's own capabilities,
// then DELETE), p50 and p95; then tiny BERT's latency on a browser the Grid
// launched against one started locally, one request at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct grid_bench_options {
  /// The Grid's (or any WebDriver remote end's) URL.
  std::string grid_url;
  /// Sessions created one after another.
  size_t sessions = 20;
  /// Sequential inferences per pool, after a warm-up.
  size_t requests = 200;
  std::function<void(const std::string&)> progress;
};

/// @throws std::runtime_error naming what failed (the Grid is down, ...).
nlohmann::json run_grid_bench(const runtime_config& cfg,
                              const grid_bench_options& opts);

} // namespace webaccel
