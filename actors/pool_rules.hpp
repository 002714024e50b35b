// The browser pool's decisions as pure functions of time and counters:
// restart backoff, restart intensity (MaxR in MaxT), and when a healthy
// browser should be retired (idle, served enough, too old, too big). The
// browser supervisor applies them; tests check them without actors.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "config/pool_policy.hpp"

namespace webaccel {

using pool_clock = std::chrono::steady_clock;

/// Delay before the restart that follows `consecutive` earlier ones:
/// base * 2^consecutive capped at max, plus `jitter` (0..1) * 25 % of it.
std::chrono::milliseconds restart_delay(const restart_policy& policy,
                                        uint32_t consecutive, double jitter);

/// Counts restarts in a sliding window (Erlang's MaxR in MaxT).
class restart_intensity {
 public:
  explicit restart_intensity(restart_policy policy) : policy_(policy) {
    // nop
  }

  /// Records a restart at `now`; false if it is one too many, which means
  /// the supervisor must give up and escalate.
  bool record(pool_clock::time_point now);

  /// Restarts within the window ending at `now`.
  size_t recent(pool_clock::time_point now);

 private:
  void forget_before(pool_clock::time_point cutoff);

  restart_policy policy_;
  std::deque<pool_clock::time_point> restarts_;
};

/// What the pool knows about one healthy browser.
struct browser_health {
  uint64_t requests = 0;
  uint32_t in_flight = 0;
  std::chrono::milliseconds age{0};
  std::chrono::milliseconds idle{0};
  /// Process group PSS plus what the page reports; 0 = unknown.
  uint64_t memory_bytes = 0;
};

enum class retire_reason { keep, idle, requests, lifetime, memory };

const char* to_string(retire_reason reason);

/// Whether to retire a browser, and why (in words, into `why`). Idle
/// browsers are closed only while the kind has more than its minimum.
retire_reason should_retire(const browser_health& health,
                            const pool_policy& policy, uint32_t memory_limit_mb,
                            bool above_minimum, std::string& why);

} // namespace webaccel
