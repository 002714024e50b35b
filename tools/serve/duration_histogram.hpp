// A Prometheus histogram of durations: fixed buckets from 0.1 ms to 10 s
// (a WASM inference of a tiny model takes 0.3 ms, a cold WebGPU one
// seconds), so that histogram_quantile() gives a p99 of request, queue and
// compute time per model.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace webaccel {

class duration_histogram {
public:
  /// Upper bounds of the buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 16> bounds{0.0001, 0.00025, 0.0005, 0.001,
                                                 0.0025, 0.005,   0.01,   0.025,
                                                 0.05,   0.1,     0.25,   0.5,
                                                 1,      2.5,     5,      10};

  /// Counts one duration.
  void observe(double seconds);

  /// Observations at or below `bounds[i]` (cumulative, as Prometheus
  /// wants them).
  uint64_t at_or_below(size_t i) const;

  uint64_t count() const {
    return count_;
  }

  double sum() const {
    return sum_;
  }

private:
  /// Per bucket; the last one is above every bound.
  std::array<uint64_t, bounds.size() + 1> counts_{};
  uint64_t count_ = 0;
  double sum_ = 0;
};

} // namespace webaccel
