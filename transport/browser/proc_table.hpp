// The kernel's process table as /proc/PID/stat shows it: the one parser
// behind helper tracking, process-group memory and scratch-dir ownership.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace webaccel {

struct proc_entry {
  pid_t pid = 0;
  /// The kernel's name for it (comm: at most 15 characters), which a
  /// zombie keeps.
  std::string name;
  /// 'R', 'S', 'Z' (zombie), ...
  char state = 0;
  pid_t ppid = 0;
  pid_t pgrp = 0;
  /// The kernel's PF_* flags.
  uint32_t flags = 0;
  /// Clock ticks after boot: with the pid, names a process uniquely.
  uint64_t start_time = 0;

  /// Dying: a killed process closes its sockets before it is a zombie.
  bool exiting() const {
    constexpr uint32_t pf_exiting = 0x4;
    return (flags & pf_exiting) != 0;
  }
};

/// The entry of one process; nullopt if it is gone.
std::optional<proc_entry> read_proc_entry(pid_t pid);

/// Every process visible in /proc.
std::vector<proc_entry> list_processes();

/// The command line of a process, its arguments joined by spaces; "" if it
/// is gone.
std::string read_cmdline(pid_t pid);

/// Live (neither exiting nor zombie) descendants of `root` that render web
/// pages: Chromium's `--type=renderer` processes, Firefox's `-contentproc
/// ... tab`.
std::vector<pid_t> page_processes(pid_t root);

} // namespace webaccel
