// Percentiles for benchmark reports and CLI summaries.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

namespace webaccel {

/// Seconds from `t` to now.
inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
    .count();
}

/// Milliseconds from `t` to now.
inline double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(
           std::chrono::steady_clock::now() - t)
    .count();
}

/// The p-th percentile (0..100) by nearest rank; 0 for no samples.
inline double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * double(xs.size())));
  return xs[std::min(xs.size() - 1, rank == 0 ? 0 : rank - 1)];
}

/// p50, p95 and the largest of `ms`, and how many.
inline nlohmann::json latency_summary(const std::vector<double>& ms) {
  double max = 0;
  for (auto x : ms)
    max = std::max(max, x);
  return {{"p50_ms", percentile(ms, 50)},
          {"p95_ms", percentile(ms, 95)},
          {"max_ms", max},
          {"samples", ms.size()}};
}

} // namespace webaccel
