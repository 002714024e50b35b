#include "tools/fault_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace webaccel {

std::vector<scheduled_fault> fault_schedule(double duration_s,
                                            double kill_every_s, size_t hangs,
                                            size_t ooms) {
  if (!(duration_s > 0) || !(kill_every_s > 0))
    throw std::invalid_argument("the duration and the kill period must be "
                                "positive");
  std::vector<scheduled_fault> out;
  for (size_t j = 1; double(j) * kill_every_s < duration_s; ++j)
    out.push_back({double(j) * kill_every_s, "kill"});
  // Periods whose middle falls inside the run.
  auto periods
    = static_cast<size_t>(std::ceil(duration_s / kill_every_s - 0.5 - 1e-9));
  auto faults = hangs + ooms;
  if (faults > periods)
    throw std::invalid_argument(
      std::to_string(faults) + " hangs and OOMs do not fit in "
      + std::to_string(periods) + " periods of " + std::to_string(kill_every_s)
      + " s (one per period at most)");
  for (size_t i = 0, h = 0, o = 0; i < faults; ++i) {
    // Alternate while both remain: hang, oom, hang, ...
    bool hang = o == ooms || (h < hangs && h <= o);
    (hang ? h : o)++;
    auto period = static_cast<size_t>((double(i) + 0.5) * double(periods)
                                      / double(faults));
    out.push_back(
      {(double(period) + 0.5) * kill_every_s, hang ? "hang" : "oom"});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](auto& a, auto& b) { return a.at_s < b.at_s; });
  return out;
}

} // namespace webaccel
