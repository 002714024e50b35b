// Percentiles for benchmark reports and CLI summaries.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace webaccel {

/// Seconds from `t` to now.
inline double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
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

} // namespace webaccel
