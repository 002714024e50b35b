// When `bench recovery` makes browsers fail: a kill every period, and the
// page faults (hangs, OOMs) each halfway between two kills, so that every
// recovery is timed on its own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace webaccel {

struct scheduled_fault {
  /// Seconds after the load started.
  double at_s = 0;
  /// "kill", "hang" or "oom" (runtime::inject_fault's names).
  std::string fault;
};

/// Kills at `kill_every_s`, 2 × `kill_every_s`, ... before `duration_s`;
/// `hangs` hangs and `ooms` OOMs, alternating, halfway into periods spread
/// evenly over the run. In time order.
/// @throws std::invalid_argument when a number is out of range or the page
///         faults do not fit (one per period at most)
std::vector<scheduled_fault> fault_schedule(double duration_s,
                                            double kill_every_s, size_t hangs,
                                            size_t ooms);

} // namespace webaccel
