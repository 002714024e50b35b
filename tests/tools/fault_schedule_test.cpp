#include "tools/fault_schedule.hpp"

#include <cmath>
#include <stdexcept>

#include <doctest/doctest.h>

using namespace webaccel;

namespace {

std::string describe(const std::vector<scheduled_fault>& faults) {
  std::string out;
  for (auto& f : faults)
    out += std::to_string(int(f.at_s * 10)) + ":" + f.fault + " ";
  return out;
}

} // namespace

TEST_CASE("fault_schedule: kills every period, page faults halfway between") {
  // 5 minutes, a kill every 15 s: 19 kills (the last at 285 s), and the
  // 6 page faults in 6 of the 20 periods, alternating.
  auto faults = fault_schedule(300, 15, 4, 2);
  size_t kills = 0;
  std::vector<std::string> page;
  for (auto& f : faults) {
    if (f.fault == "kill") {
      kills++;
      CHECK(std::fmod(f.at_s, 15.0) == 0);
    } else {
      page.push_back(f.fault);
      CHECK(std::fmod(f.at_s, 15.0) == 7.5);
    }
  }
  CHECK(kills == 19);
  CHECK(
    page
    == std::vector<std::string>{"hang", "oom", "hang", "oom", "hang", "hang"});
  for (size_t i = 1; i < faults.size(); ++i)
    CHECK(faults[i - 1].at_s < faults[i].at_s);
  CHECK(faults.front().at_s == 15);
  CHECK(faults.back().at_s < 300);
}

TEST_CASE("fault_schedule: a short run") {
  CHECK(describe(fault_schedule(20, 8, 1, 1))
        == "40:hang 80:kill 120:oom 160:kill ");
  CHECK(describe(fault_schedule(12, 8, 1, 0)) == "40:hang 80:kill ");
  CHECK(describe(fault_schedule(5, 8, 0, 0)).empty());
}

TEST_CASE("fault_schedule: what does not fit is refused") {
  CHECK_THROWS_WITH_AS(fault_schedule(20, 8, 2, 1),
                       doctest::Contains("do not fit in 2 periods"),
                       std::invalid_argument);
  CHECK_THROWS_AS(fault_schedule(0, 8, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(fault_schedule(20, -1, 0, 0), std::invalid_argument);
}
