#include "transport/browser/process_memory.hpp"

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "transport/browser/proc_table.hpp"

namespace webaccel {

uint64_t process_memory_bytes(pid_t pid) {
  auto dir = "/proc/" + std::to_string(pid);
  std::ifstream rollup{dir + "/smaps_rollup"};
  std::string key;
  uint64_t kib = 0;
  while (rollup >> key) {
    if (key == "Pss:" && rollup >> kib)
      return kib * 1024;
    rollup.ignore(4096, '\n');
  }
  std::ifstream statm{dir + "/statm"};
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (statm >> size_pages >> resident_pages)
    return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return 0;
}

std::set<pid_t> process_group_members(pid_t pgid,
                                      const std::set<pid_t>& extra) {
  std::set<pid_t> out;
  for (auto& p : list_processes())
    if (p.pgrp == pgid && p.state != 'Z')
      out.insert(p.pid);
  for (auto pid : extra)
    if (kill(pid, 0) == 0)
      out.insert(pid);
  return out;
}

uint64_t process_group_memory_bytes(pid_t pgid, const std::set<pid_t>& extra) {
  uint64_t total = 0;
  for (auto pid : process_group_members(pgid, extra))
    total += process_memory_bytes(pid);
  return total;
}

} // namespace webaccel
