// GET /metrics: the served models' figures and the browser pool's state in
// Prometheus's text format. Names follow Triton's (nv_inference_* becomes
// webaccel_inference_*), with the suffixes Prometheus asks for: counters
// end in _total and durations are in seconds, not microseconds, so that
// `promtool check metrics` finds nothing to lint.
#pragma once

#include <string>
#include <vector>

#include "messages/pool_stats.hpp"
#include "tools/serve/model_table.hpp"

namespace webaccel {

std::string metrics_page(const std::vector<served_figures>& models,
                         const pool_stats& pool);

} // namespace webaccel
