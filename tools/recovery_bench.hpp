// `webaccel bench recovery`: steady load on models spread over a pool of
// browsers while a random browser is killed every period and hangs and
// OOMs are injected between the kills. Reports requests sent, answered,
// failed, duplicated and lost, time to recover per error category, and
// whether the pool is back to full size with no process left over.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct recovery_bench_options {
  double duration_s = 300;
  double kill_every_s = 15;
  size_t hangs = 4;
  size_t ooms = 2;
  /// Browsers of `kind` kept running (the pool's full size).
  std::string kind = "chromium";
  size_t browsers = 2;
  /// Copies of tiny BERT, each its own instance, each placed on its own.
  size_t models = 2;
  size_t clients = 8;
  /// Each request's deadline: a hung page is noticed after it.
  uint32_t request_timeout_ms = 5000;
  uint32_t seed = 1;
  /// Receives a line at each fault and phase.
  std::function<void(const std::string&)> progress;
};

/// Runs the benchmark with real browsers; `cfg` supplies everything but
/// the pool's browsers, which the options set. @throws failure or
/// config_error when the runtime cannot start
nlohmann::json run_recovery_bench(runtime_config cfg,
                                  const recovery_bench_options& options);

} // namespace webaccel
