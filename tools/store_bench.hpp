// `webaccel bench store`: what the metrics store costs. Steady load on tiny
// BERT in rounds that alternate the store off, on (per-second rollups), and
// on with one row per inference, each in a fresh runtime on the same pool
// size; it reports the throughput of each and the cost against off, and
// the DB bytes per million inferences of both ways of storing them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct store_bench_options {
  /// Rounds of each mode (off, rollup, per row), interleaved.
  size_t rounds = 3;
  double seconds_per_round = 20;
  size_t browsers = 2;
  size_t clients = 8;
  std::string kind = "chromium";
  /// Where the DB files go (a scratch dir made and removed if empty).
  std::string dir;
  std::function<void(const std::string&)> progress;
};

nlohmann::json run_store_bench(runtime_config base,
                               const store_bench_options& o);

} // namespace webaccel
