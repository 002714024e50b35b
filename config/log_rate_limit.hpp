// Bounds the log lines that outside input can cause (a page breaking the
// protocol, a client with a bad token), so that a hostile or broken peer
// cannot flood the host's log: a few lines per interval, then a count of
// what was held back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace webaccel {

/// Lets at most `burst` lines through per `interval`, and counts the lines
/// it held back so that the next one let through can say how many. Not
/// thread-safe: one per actor, or guarded by its owner. Time is passed in,
/// so that an actor uses its own clock.
class log_rate_limit {
public:
  using clock_type = std::chrono::steady_clock;

  log_rate_limit(uint32_t burst, std::chrono::milliseconds interval)
    : burst_(burst), interval_(interval) {
    // nop
  }

  /// Whether to log a line at `now`. When true, `suppressed` is the number
  /// of lines held back since the last one let through (0 if none).
  bool allow(clock_type::time_point now, uint64_t& suppressed);

  /// Lines held back since the last one let through.
  uint64_t held_back() const {
    return held_back_;
  }

private:
  uint32_t burst_;
  std::chrono::milliseconds interval_;
  clock_type::time_point window_start_{};
  uint32_t in_window_ = 0;
  uint64_t held_back_ = 0;
};

/// " (N similar lines suppressed)" for N > 0, else "".
std::string suppressed_note(uint64_t suppressed);

} // namespace webaccel
