// `webaccel bench health`: how long a wedged page lives. Steady load on
// tiny BERT while the serving browser's page is wedged (the "wedge" fault:
// every inference hangs, heartbeats are still answered) again and again;
// for each wedge it measures the time until the health monitor had it
// recycled and until a new browser served, and over the whole run that
// every request was answered exactly once.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/runtime_config.hpp"

namespace webaccel {

struct health_bench_options {
  size_t wedges = 5;
  size_t clients = 4;
  std::string kind = "chromium";
  std::function<void(const std::string&)> progress;
};

nlohmann::json run_health_bench(runtime_config base,
                                const health_bench_options& o);

} // namespace webaccel
