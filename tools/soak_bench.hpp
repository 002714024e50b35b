// `webaccel bench soak`: steady load for minutes while browsers are
// recycled (by age), sampling what a runtime must hold flat: its RSS,
// threads, open descriptors, pending timers and actors. Reports the
// samples, RSS at 1, 5 and 15 minutes, and the RSS slope after warm-up.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct soak_bench_options {
  double minutes = 15;
  /// Browsers kept running; each recycled after this long.
  size_t browsers = 2;
  uint32_t browser_lifetime_s = 60;
  size_t clients = 8;
  /// A sample every so often.
  double sample_every_s = 10;
  /// The slope is fitted from here on (the JIT and caches warm up first).
  double warmup_minutes = 2;
  std::string kind = "chromium";
  /// Receives a line per sample.
  std::function<void(const std::string&)> progress;
};

/// Runs the soak with real browsers. @throws failure or config_error
nlohmann::json run_soak_bench(runtime_config cfg,
                              const soak_bench_options& options);

/// Least-squares slope of y over x (0 for fewer than two points).
double slope(const std::vector<double>& x, const std::vector<double>& y);

} // namespace webaccel
