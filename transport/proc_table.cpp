#include "transport/proc_table.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace webaccel {

std::optional<proc_entry> read_proc_entry(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(stat, line))
    return std::nullopt;
  // The command name in parentheses may hold spaces and parentheses.
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size())
    return std::nullopt;
  std::istringstream fields{line.substr(close + 2)};
  proc_entry out;
  out.pid = pid;
  if (!(fields >> out.state >> out.ppid >> out.pgrp))
    return std::nullopt;
  // Field 22 (starttime) is the 17th after pgrp (field 5).
  std::string skip;
  for (int i = 0; i < 16 && fields >> skip; ++i)
    ;
  fields >> out.start_time;
  return out;
}

std::vector<proc_entry> list_processes() {
  std::vector<proc_entry> out;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator{"/proc", ec}) {
    auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (auto e = read_proc_entry(static_cast<pid_t>(std::stol(name))))
      out.push_back(*e);
  }
  return out;
}

} // namespace webaccel
