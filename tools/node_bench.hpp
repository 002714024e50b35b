// `webaccel bench nodes`: what webaccel nodes cost and give. All on this
// machine, over loopback: tiny BERT's latency on the head's own Chromium
// against one a node runs (the hop head -> node -> page); throughput of two
// model instances with one node and with two (on one machine the cores
// bound it, not the nodes); and the time to recover when the node that
// serves is killed -9 under load. Nodes are `webaccel node` processes of
// this same binary.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct node_bench_options {
  /// The config file the nodes get ("" = the built-in default).
  std::string config_path;
  /// Sequential inferences per latency run, after a warm-up.
  size_t requests = 200;
  /// Seconds per throughput run, and requests in flight during it.
  double seconds = 10;
  size_t inflight = 16;
  std::function<void(const std::string&)> progress;
};

/// @throws std::runtime_error naming what failed (a node did not join, ...).
nlohmann::json run_node_bench(const runtime_config& cfg,
                              const node_bench_options& opts);

} // namespace webaccel
