// Latencies as counts in log-spaced buckets, so that percentiles survive
// aggregation: histograms of many seconds, browsers or runs merge by adding
// counts (as Prometheus histograms do). Bucket i holds values up to
// 0.01 ms * 2^(i/4): 19 % apart, from 10 us to ~170 s. Stored as text,
// "index:count" pairs of the non-empty buckets ("12:40 13:2").
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace webaccel {

class latency_histogram {
public:
  static constexpr size_t bucket_count = 96;

  void add(double ms, uint64_t n = 1);
  void merge(const latency_histogram& other);

  uint64_t count() const {
    return count_;
  }

  /// The upper bound of the bucket holding quantile q (0..1); 0 if empty.
  double percentile(double q) const;

  /// The upper bound of bucket i, in milliseconds.
  static double upper_bound_ms(size_t i);

  std::string to_text() const;

  /// Parses to_text()'s form; false (and an empty histogram) for anything
  /// else.
  bool from_text(const std::string& text);

private:
  std::array<uint64_t, bucket_count> buckets_{};
  uint64_t count_ = 0;
};

} // namespace webaccel
