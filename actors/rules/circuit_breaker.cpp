#include "actors/rules/circuit_breaker.hpp"

namespace webaccel {

bool circuit_breaker::allow(clock_type::time_point now) {
  switch (state_) {
    case state::closed:
      return true;
    case state::open:
      if (now - opened_ < cooldown_)
        return false;
      state_ = state::half_open;
      probing_ = true;
      return true;
    case state::half_open:
      if (probing_)
        return false;
      probing_ = true;
      return true;
  }
  return false;
}

void circuit_breaker::on_success() {
  consecutive_ = 0;
  state_ = state::closed;
  probing_ = false;
}

void circuit_breaker::on_failure(clock_type::time_point now) {
  consecutive_++;
  if (state_ == state::half_open
      || (state_ == state::closed && threshold_ != 0
          && consecutive_ >= threshold_)) {
    state_ = state::open;
    opened_ = now;
    probing_ = false;
  }
}

std::chrono::milliseconds
circuit_breaker::cooldown_left(clock_type::time_point now) const {
  if (state_ != state::open)
    return std::chrono::milliseconds{0};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
    cooldown_ - (now - opened_));
  return left.count() > 0 ? left : std::chrono::milliseconds{0};
}

} // namespace webaccel
