// A circuit breaker for one browser connection: after `failures` failed
// requests in a row it opens (requests fail fast, placement avoids the
// browser); after the cool-down it lets one probe through (half-open); the
// probe's success closes it, its failure opens it again. Pure state; the
// connection feeds it times and outcomes.
#pragma once

#include <chrono>
#include <cstdint>

#include "messages/pool_stats.hpp"

namespace webaccel {

class circuit_breaker {
public:
  using clock_type = std::chrono::steady_clock;

  using state = breaker_state;

  /// `failures` 0 = never opens.
  circuit_breaker(uint32_t failures, std::chrono::milliseconds cooldown)
    : threshold_(failures), cooldown_(cooldown) {
    // nop
  }

  /// Whether a request may go at `now`: always while closed; once the
  /// cool-down passed, one probe at a time while half-open.
  bool allow(clock_type::time_point now);

  void on_success();

  void on_failure(clock_type::time_point now);

  state current() const {
    return state_;
  }

  /// Failed requests in a row.
  uint32_t consecutive_failures() const {
    return consecutive_;
  }

  /// Time left until the next probe may go (0 unless open).
  std::chrono::milliseconds cooldown_left(clock_type::time_point now) const;

private:
  uint32_t threshold_;
  std::chrono::milliseconds cooldown_;
  state state_ = state::closed;
  uint32_t consecutive_ = 0;
  clock_type::time_point opened_;
  bool probing_ = false;
};

/// "closed", "open" or "half_open".

} // namespace webaccel
