#include "transport/browser/proc_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace webaccel {

std::optional<proc_entry> read_proc_entry(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(stat, line))
    return std::nullopt;
  // The command name in parentheses may hold spaces and parentheses.
  auto open = line.find('(');
  auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open
      || close + 2 > line.size())
    return std::nullopt;
  std::istringstream fields{line.substr(close + 2)};
  proc_entry out;
  out.pid = pid;
  out.name = line.substr(open + 1, close - open - 1);
  if (!(fields >> out.state >> out.ppid >> out.pgrp))
    return std::nullopt;
  // After pgrp (field 5): flags is field 9, starttime field 22.
  std::vector<std::string> rest;
  std::string field;
  while (rest.size() < 17 && fields >> field)
    rest.push_back(field);
  if (rest.size() < 17)
    return std::nullopt;
  out.flags = static_cast<uint32_t>(std::strtoul(rest[3].c_str(), nullptr, 10));
  out.start_time = std::strtoull(rest[16].c_str(), nullptr, 10);
  return out;
}

std::vector<proc_entry> list_processes() {
  std::vector<proc_entry> out;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator{"/proc", ec}) {
    auto name = entry.path().filename().string();
    if (name.empty()
        || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (auto e = read_proc_entry(static_cast<pid_t>(std::stol(name))))
      out.push_back(*e);
  }
  return out;
}

std::string read_cmdline(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/cmdline",
                   std::ios::binary};
  std::string out{std::istreambuf_iterator<char>{in},
                  std::istreambuf_iterator<char>{}};
  for (auto& c : out)
    if (c == '\0')
      c = ' ';
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  return out;
}

std::vector<pid_t> page_processes(pid_t root) {
  auto all = list_processes();
  std::vector<pid_t> family{root};
  // Parents come before children only by chance: repeat until stable.
  for (bool grew = true; grew;) {
    grew = false;
    for (auto& e : all)
      if (std::find(family.begin(), family.end(), e.ppid) != family.end()
          && std::find(family.begin(), family.end(), e.pid) == family.end()) {
        family.push_back(e.pid);
        grew = true;
      }
  }
  std::vector<pid_t> out;
  for (auto& e : all) {
    if (e.pid == root || e.state == 'Z' || e.exiting()
        || std::find(family.begin(), family.end(), e.pid) == family.end())
      continue;
    auto cmd = read_cmdline(e.pid);
    auto firefox_tab = cmd.find("-contentproc") != std::string::npos
                       && cmd.size() >= 4
                       && cmd.compare(cmd.size() - 4, 4, " tab") == 0;
    if (cmd.find("--type=renderer") != std::string::npos || firefox_tab)
      out.push_back(e.pid);
  }
  return out;
}

} // namespace webaccel
