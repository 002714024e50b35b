// One browser's health as the health monitor judges it: from its samples
// (heartbeat round trip, memory, requests and failures, circuit breaker)
// and its canary inferences, a score from 0 (sick) to 100 with the reasons
// for every point it lost. Pure state; the monitor feeds it on its clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "config/health_policy.hpp"
#include "messages/pool_stats.hpp"

namespace webaccel {

/// What a sample of one browser says.
struct browser_reading {
  double heartbeat_ms = 0;
  uint64_t memory_bytes = 0;
  /// The browser's memory limit (0 = none).
  uint64_t memory_limit_bytes = 0;
  /// Counters since the browser started.
  uint64_t requests = 0;
  uint64_t failures = 0;
  breaker_state breaker = breaker_state::closed;
};

enum class canary_outcome : uint8_t {
  /// Answered with the expected outputs.
  ok,
  /// Answered with an error, or with outputs that are wrong.
  failed,
  /// Not answered within canary_timeout_ms.
  timed_out,
};

const char* to_string(canary_outcome x);

class browser_health {
public:
  using clock_type = std::chrono::steady_clock;

  explicit browser_health(health_policy policy) : policy_(policy) {
    // nop
  }

  void add_reading(const browser_reading& r, clock_type::time_point now);

  void add_canary(canary_outcome outcome, double latency_ms);

  /// 0..100, and why it is not 100.
  double score() const;
  std::vector<std::string> reasons() const;

  /// True once the score is below recycle_below.
  bool sick() const {
    return score() < policy_.recycle_below;
  }

  /// Memory trend over the samples kept, in MiB per minute.
  double memory_growth_mib_per_min() const;

  /// Failed requests per request over the samples kept (0 below
  /// min_requests).
  double error_rate() const;

  uint32_t canary_failures_in_a_row() const {
    return canary_failures_;
  }

  /// The last canary's latency (0 before the first answer).
  double last_canary_ms() const {
    return last_canary_ms_;
  }

private:
  struct sample {
    clock_type::time_point at;
    browser_reading reading;
  };

  /// Points lost and why, in one pass (score and reasons agree).
  std::vector<std::pair<double, std::string>> penalties() const;

  health_policy policy_;
  /// The samples of the last minute.
  std::deque<sample> samples_;
  uint32_t canary_failures_ = 0;
  canary_outcome last_canary_ = canary_outcome::ok;
  bool canary_seen_ = false;
  double last_canary_ms_ = 0;
};

} // namespace webaccel
