// When a model instance that has no requests releases its browser: once it
// went `after` without a request, so that an unused model holds no browser
// memory. At most one check is pending at a time: the instance arms one
// when it becomes idle; a check that comes too early says when to look
// again, and one that finds requests running arms none (the next idle
// moment does). The instance passes its actor clock's time in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace webaccel {

class idle_release {
public:
  using clock_type = std::chrono::steady_clock;
  using duration = std::chrono::milliseconds;

  /// Release after `after` without requests (0 = never).
  explicit idle_release(duration after) : after_(after) {
    // nop
  }

  /// A request arrived or was answered at `now`, leaving `in_flight`
  /// requests. Returns the delay of the check to arm, if one is due now.
  std::optional<duration> on_activity(clock_type::time_point now,
                                      uint32_t in_flight);

  /// What a check decided.
  struct verdict {
    /// Release the browser now.
    bool release = false;
    /// Arm the next check in this long (none: no check pending).
    std::optional<duration> again;
  };

  /// The armed check fired at `now`. `bound`: the instance holds a browser
  /// it could release (it is not between browsers).
  verdict on_check(clock_type::time_point now, uint32_t in_flight, bool bound);

  /// Whether a check is pending.
  bool armed() const {
    return armed_;
  }

  /// Time without requests at `now`.
  duration idle_for(clock_type::time_point now) const {
    return std::chrono::duration_cast<duration>(now - last_activity_);
  }

private:
  duration after_;
  clock_type::time_point last_activity_{};
  bool armed_ = false;
};

} // namespace webaccel
