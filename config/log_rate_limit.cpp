#include "config/log_rate_limit.hpp"

namespace webaccel {

bool log_rate_limit::allow(clock_type::time_point now, uint64_t& suppressed) {
  suppressed = 0;
  if (in_window_ == 0 || now - window_start_ >= interval_) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= burst_) {
    ++held_back_;
    return false;
  }
  ++in_window_;
  suppressed = held_back_;
  held_back_ = 0;
  return true;
}

std::string suppressed_note(uint64_t suppressed) {
  if (suppressed == 0)
    return {};
  return " (" + std::to_string(suppressed) + " similar line"
         + (suppressed == 1 ? "" : "s") + " suppressed)";
}

} // namespace webaccel
