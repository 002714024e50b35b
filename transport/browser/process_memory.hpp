// Memory of a process group as the kernel reports it in /proc. PSS (shared
// pages split among their users) is used where the kernel has it, so that
// a multi-process browser is not counted once per process for its shared
// libraries.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>

namespace webaccel {

/// Bytes of one process: PSS from /proc/PID/smaps_rollup, else RSS from
/// /proc/PID/statm; 0 if the process is gone.
uint64_t process_memory_bytes(pid_t pid);

/// Every process in process group `pgid`, plus `extra` (helpers that left
/// the group).
std::set<pid_t> process_group_members(pid_t pgid,
                                      const std::set<pid_t>& extra = {});

/// Sum of process_memory_bytes over process_group_members.
uint64_t process_group_memory_bytes(pid_t pgid,
                                    const std::set<pid_t>& extra = {});

} // namespace webaccel
