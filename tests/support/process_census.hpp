// What a test leaves behind: child processes (zombies included), browser
// profile directories and the browsers' own files in the temp dir.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <doctest/doctest.h>

#include "transport/browser/proc_table.hpp"

namespace webaccel::test {

/// PIDs whose parent is this process (browsers we failed to reap would
/// show up here, as would zombies).
inline std::set<pid_t> children_of_this_process() {
  std::set<pid_t> out;
  auto self = getpid();
  for (auto& p : list_processes())
    if (p.ppid == self)
      out.insert(p.pid);
  return out;
}

/// "pid: stat line" of each pid, for failure messages.
inline std::string describe_processes(const std::set<pid_t>& pids) {
  std::string out;
  for (auto pid : pids) {
    std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
    std::string line;
    std::getline(stat, line);
    out += line + "\n";
  }
  return out;
}

/// What a runtime or a browser may leave in the temp dir: webaccel's
/// scratch directories (browser profiles), and the browsers' own files
/// (Chromium's process-singleton dirs, Firefox's temporary profiles).
inline std::set<std::string> temp_dir_leftovers() {
  static const char* prefixes[] = {"webaccel-",      "org.chromium.",
                                   ".org.chromium.", "rust_mozprofile",
                                   "mozilla-temp-",  "mat-debug-"};
  std::set<std::string> out;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator{
         std::filesystem::temp_directory_path(), ec}) {
    auto name = entry.path().filename().string();
    for (auto prefix : prefixes)
      if (name.rfind(prefix, 0) == 0)
        out.insert(entry.path().string());
  }
  return out;
}

/// Checks, after a runtime is gone, that it left nothing behind.
struct leaves_nothing_behind {
  std::set<std::string> dirs_before = temp_dir_leftovers();

  void check() const {
    auto left = children_of_this_process();
    CHECK_MESSAGE(left.empty(), "left behind:\n" << describe_processes(left));
    CHECK(temp_dir_leftovers() == dirs_before);
  }
};

} // namespace webaccel::test
