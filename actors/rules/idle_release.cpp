#include "actors/rules/idle_release.hpp"

namespace webaccel {

std::optional<idle_release::duration>
idle_release::on_activity(clock_type::time_point now, uint32_t in_flight) {
  last_activity_ = now;
  if (after_.count() == 0 || in_flight > 0 || armed_)
    return std::nullopt;
  armed_ = true;
  return after_;
}

idle_release::verdict idle_release::on_check(clock_type::time_point now,
                                             uint32_t in_flight, bool bound) {
  armed_ = false;
  if (after_.count() == 0 || in_flight > 0 || !bound)
    return {};
  auto idle = idle_for(now);
  if (idle >= after_)
    return {true, std::nullopt};
  armed_ = true;
  return {false, after_ - idle};
}

} // namespace webaccel
